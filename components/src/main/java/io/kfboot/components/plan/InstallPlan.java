package io.kfboot.components.plan;

import io.kfboot.manifests.parse.ResourceRequests;
import io.kfboot.manifests.source.ReleaseTree;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What an install of a release would do: components in waves, each with its objects and gates. Pure
 * data; making it reads the release and runs kustomize, but touches no host or cluster.
 *
 * @param tree the release tree it was rendered from
 * @param kustomize which kustomize rendered it ("kustomize v5.5.0 (...)")
 * @param components in install order: by wave, catalog order inside a wave
 * @param warnings things a person should know that do not stop the install
 */
public record InstallPlan(
    ReleaseTree tree, String kustomize, List<PlannedComponent> components, List<String> warnings) {

  public InstallPlan {
    components = List.copyOf(components);
    warnings = List.copyOf(warnings);
  }

  public int waveCount() {
    return components.stream().mapToInt(PlannedComponent::wave).max().orElse(-1) + 1;
  }

  public int objectCount() {
    return components.stream().mapToInt(c -> c.objects().size()).sum();
  }

  public int crdCount() {
    return components.stream().mapToInt(c -> c.crds().size()).sum();
  }

  public SortedSet<String> images() {
    SortedSet<String> all = new TreeSet<>();
    components.forEach(c -> all.addAll(c.images()));
    return all;
  }

  public ResourceRequests requests() {
    return components.stream()
        .map(PlannedComponent::requests)
        .reduce(ResourceRequests.ZERO, ResourceRequests::plus);
  }
}
