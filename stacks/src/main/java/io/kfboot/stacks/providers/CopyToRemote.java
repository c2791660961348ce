package io.kfboot.stacks.providers;

import com.pulumi.asset.AssetOrArchive;
import com.pulumi.core.Output;
import com.pulumi.core.annotations.Import;
import com.pulumi.core.annotations.ResourceType;
import com.pulumi.resources.CustomResource;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.ResourceArgs;
import java.util.List;

/** {@code command:remote:CopyToRemote}: a local file or asset copied to a host over SSH (SFTP). */
@ResourceType(type = CopyToRemote.TYPE)
public class CopyToRemote extends CustomResource {
  public static final String TYPE = "command:remote:CopyToRemote";

  public CopyToRemote(String name, Args args, CustomResourceOptions options) {
    super(TYPE, name, args, CustomResourceOptions.merge(CustomResourceOptions.builder().version(ProviderVersions.COMMAND).build(), options, null));
  }

  public static final class Args extends ResourceArgs {
    @Import(name = "connection", required = true)
    private final Output<ConnectionArgs> connection;

    @Import(name = "source", required = true)
    private final Output<AssetOrArchive> source;

    @Import(name = "remotePath", required = true)
    private final Output<String> remotePath;

    @Import(name = "triggers")
    private final Output<List<Object>> triggers;

    public Args(ConnectionArgs connection, AssetOrArchive source, String remotePath, List<Object> triggers) {
      this.connection = Output.of(connection);
      this.source = Output.of(source);
      this.remotePath = Output.of(remotePath);
      this.triggers = Output.of(triggers);
    }
  }
}
