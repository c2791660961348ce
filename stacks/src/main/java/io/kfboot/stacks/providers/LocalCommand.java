package io.kfboot.stacks.providers;

import com.pulumi.core.Output;
import com.pulumi.core.annotations.Export;
import com.pulumi.core.annotations.Import;
import com.pulumi.core.annotations.ResourceType;
import com.pulumi.resources.CustomResource;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.ResourceArgs;
import java.util.List;
import java.util.Map;

/**
 * {@code command:local:Command}: a command run where {@code pulumi up} runs, when the resource is
 * created (again when its triggers change) and another when it is deleted.
 */
@ResourceType(type = LocalCommand.TYPE)
public class LocalCommand extends CustomResource {
  public static final String TYPE = "command:local:Command";

  @Export(
      name = "stdout",
      refs = {String.class},
      tree = "[0]")
  private Output<String> stdout;

  public LocalCommand(String name, Args args, CustomResourceOptions options) {
    super(
        TYPE,
        name,
        args,
        CustomResourceOptions.merge(
            CustomResourceOptions.builder().version(ProviderVersions.COMMAND).build(),
            options,
            null));
  }

  public Output<String> stdout() {
    return stdout;
  }

  public static final class Args extends ResourceArgs {
    @Import(name = "create")
    private final Output<String> create;

    @Import(name = "delete")
    private final Output<String> delete;

    /** Secret values (the join token, the SSH key) travel here, never in the command line. */
    @Import(name = "environment")
    private final Output<Map<String, String>> environment;

    @Import(name = "triggers")
    private final Output<List<Object>> triggers;

    public Args(
        String create,
        String delete,
        Output<Map<String, String>> environment,
        List<Object> triggers) {
      this.create = Output.of(create);
      this.delete = delete == null ? null : Output.of(delete);
      this.environment = environment;
      this.triggers = Output.of(triggers);
    }
  }
}
