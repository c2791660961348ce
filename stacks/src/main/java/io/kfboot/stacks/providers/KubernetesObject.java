package io.kfboot.stacks.providers;

import com.pulumi.core.Output;
import com.pulumi.core.annotations.Import;
import com.pulumi.resources.CustomResource;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.ResourceArgs;
import java.util.Map;

/**
 * Any Kubernetes object by its type token {@code kubernetes:<group>/<version>:<Kind>} (group {@code
 * core} for the core API), including the provider's Patch kinds such as {@code StorageClassPatch}.
 * The body's top-level fields are passed as the resource's inputs.
 */
public class KubernetesObject extends CustomResource {
  public KubernetesObject(String name, Map<String, Object> body, CustomResourceOptions options) {
    this(name, body, false, options);
  }

  /**
   * @param secret whether the body holds secrets: then its {@code data} and {@code stringData} are
   *     secret inputs, kept encrypted in the stack's state
   */
  public KubernetesObject(
      String name, Map<String, Object> body, boolean secret, CustomResourceOptions options) {
    super(
        type(String.valueOf(body.get("apiVersion")), String.valueOf(body.get("kind"))),
        name,
        new Args(body, secret),
        CustomResourceOptions.merge(
            CustomResourceOptions.builder().version(ProviderVersions.KUBERNETES).build(),
            options,
            null));
  }

  /** "kubernetes:apps/v1:Deployment", "kubernetes:core/v1:ConfigMap". */
  public static String type(String apiVersion, String kind) {
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "core" : apiVersion.substring(0, slash);
    String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    return "kubernetes:" + group + "/" + version + ":" + kind;
  }

  /** The object's top-level fields as inputs; the ones Kubernetes objects use. */
  public static final class Args extends ResourceArgs {
    @Import(name = "apiVersion")
    private final Output<Object> apiVersion;

    @Import(name = "kind")
    private final Output<Object> kind;

    @Import(name = "metadata")
    private final Output<Object> metadata;

    @Import(name = "spec")
    private final Output<Object> spec;

    @Import(name = "data")
    private final Output<Object> data;

    @Import(name = "stringData")
    private final Output<Object> stringData;

    @Import(name = "type")
    private final Output<Object> type;

    @Import(name = "provisioner")
    private final Output<Object> provisioner;

    Args(Map<String, Object> body, boolean secret) {
      this.apiVersion = field(body, "apiVersion", false);
      this.kind = field(body, "kind", false);
      this.metadata = field(body, "metadata", false);
      this.spec = field(body, "spec", false);
      this.data = field(body, "data", secret);
      this.stringData = field(body, "stringData", secret);
      this.type = field(body, "type", false);
      this.provisioner = field(body, "provisioner", false);
    }

    private static Output<Object> field(Map<String, Object> body, String key, boolean secret) {
      if (!body.containsKey(key)) {
        return null;
      }
      return secret ? Output.ofSecret(body.get(key)) : Output.of(body.get(key));
    }
  }
}
