package io.kfboot.stacks.providers;

import com.pulumi.core.Output;
import com.pulumi.core.annotations.Export;
import com.pulumi.core.annotations.Import;
import com.pulumi.core.annotations.ResourceType;
import com.pulumi.resources.CustomResource;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.ResourceArgs;
import java.util.List;

/**
 * {@code command:remote:Command}: a command run on a host over SSH when the resource is created
 * (and again when its triggers change), and another when it is deleted.
 */
@ResourceType(type = RemoteCommand.TYPE)
public class RemoteCommand extends CustomResource {
  public static final String TYPE = "command:remote:Command";

  @Export(
      name = "stdout",
      refs = {String.class},
      tree = "[0]")
  private Output<String> stdout;

  @Export(
      name = "stderr",
      refs = {String.class},
      tree = "[0]")
  private Output<String> stderr;

  public RemoteCommand(String name, Args args, CustomResourceOptions options) {
    super(
        TYPE,
        name,
        args,
        CustomResourceOptions.merge(
            CustomResourceOptions.builder()
                .version(ProviderVersions.COMMAND)
                .additionalSecretOutputs(List.of("stdout"))
                .build(),
            options,
            null));
  }

  /** What the create command printed; secret, since it may print what it read (a kubeconfig). */
  public Output<String> stdout() {
    return stdout;
  }

  public Output<String> stderr() {
    return stderr;
  }

  public static final class Args extends ResourceArgs {
    @Import(name = "connection", required = true)
    private final Output<ConnectionArgs> connection;

    @Import(name = "create")
    private final Output<String> create;

    @Import(name = "delete")
    private final Output<String> delete;

    @Import(name = "stdin")
    private final Output<String> stdin;

    /** Any change of these replaces the resource, running create again. */
    @Import(name = "triggers")
    private final Output<List<Object>> triggers;

    public Args(
        ConnectionArgs connection,
        Output<String> create,
        Output<String> delete,
        Output<String> stdin,
        List<Object> triggers) {
      this.connection = Output.of(connection);
      this.create = create;
      this.delete = delete;
      this.stdin = stdin;
      this.triggers = Output.of(triggers);
    }
  }
}
