package io.kfboot.components.catalog;

import io.kfboot.manifests.render.SemVer;
import io.kfboot.manifests.source.ReleaseRef;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The components of one kubeflow/manifests release, validated: unique ids, no dangling or cyclic
 * {@code dependsOn}, and gates of known types.
 *
 * @param release tag and pinned commit
 * @param kustomizeMinVersion the oldest kustomize the release renders with
 * @param examplePath the release's one-command kustomization (usually {@code example})
 * @param components in data-file order
 * @param exampleDifferences why the default components' objects differ from example/'s, if they do
 */
public record ReleaseCatalog(
    ReleaseRef release,
    SemVer kustomizeMinVersion,
    String examplePath,
    List<ComponentSpec> components,
    List<ExampleDifference> exampleDifferences) {

  /**
   * An object set difference between the default components and example/, explained.
   *
   * @param object "Kind namespace/name" of the object, or "*" for all objects of a path
   * @param direction {@code onlyInComponents} or {@code onlyInExample}
   * @param reason why
   */
  public record ExampleDifference(String object, String direction, String reason) {}

  public ReleaseCatalog {
    components = List.copyOf(components);
    exampleDifferences = List.copyOf(exampleDifferences);
  }

  public Optional<ComponentSpec> component(String id) {
    return components.stream().filter(c -> c.id().equals(id)).findFirst();
  }

  public Map<String, ComponentSpec> byId() {
    Map<String, ComponentSpec> m = new LinkedHashMap<>();
    components.forEach(c -> m.put(c.id(), c));
    return m;
  }

  public List<ComponentSpec> defaults() {
    return components.stream().filter(ComponentSpec::defaultEnabled).toList();
  }
}
