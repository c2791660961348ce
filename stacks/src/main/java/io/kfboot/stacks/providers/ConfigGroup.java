package io.kfboot.stacks.providers;

import com.pulumi.core.Output;
import com.pulumi.core.annotations.Export;
import com.pulumi.core.annotations.Import;
import com.pulumi.core.annotations.ResourceType;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.ResourceArgs;
import java.util.List;
import java.util.Map;

/**
 * {@code kubernetes:yaml/v2:ConfigGroup}, a remote component: the Kubernetes provider turns each
 * object into a resource of its own and awaits it (Deployments Available, Services with endpoints,
 * and whatever a {@code pulumi.com/waitFor} annotation says). kfboot hands it rendered objects
 * ({@code objs}), so its k3s adaptations and generated credentials apply as with the CLI.
 */
@ResourceType(type = ConfigGroup.TYPE)
public class ConfigGroup extends ComponentResource {
  public static final String TYPE = "kubernetes:yaml/v2:ConfigGroup";

  @Export(
      name = "resources",
      refs = {List.class, Object.class},
      tree = "[0,1]")
  private Output<List<Object>> resources;

  public ConfigGroup(String name, Args args, ComponentResourceOptions options) {
    super(
        TYPE,
        name,
        args,
        ComponentResourceOptions.merge(
            ComponentResourceOptions.builder().version(ProviderVersions.KUBERNETES).build(),
            options,
            null),
        true);
  }

  public Output<List<Object>> resources() {
    return resources;
  }

  public static final class Args extends ResourceArgs {
    @Import(name = "objs")
    private final Output<List<Object>> objs;

    /** Prefixes child names, so that two groups may hold objects of the same name. */
    @Import(name = "resourcePrefix")
    private final Output<String> resourcePrefix;

    /**
     * @param secret whether the objects hold secrets (then the state keeps them encrypted)
     */
    public Args(List<Map<String, Object>> objs, String resourcePrefix, boolean secret) {
      Output<List<Object>> list = Output.of(List.copyOf(objs));
      this.objs = secret ? Output.ofSecret(List.copyOf(objs)) : list;
      this.resourcePrefix = Output.of(resourcePrefix);
    }
  }
}
