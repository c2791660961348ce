package io.kfboot.components.plan;

import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import java.util.List;
import java.util.SortedSet;

/**
 * A component as it will be installed: its rendered (and k3s-adapted) objects in apply order.
 *
 * @param spec the catalog entry
 * @param wave install wave; every dependency is in an earlier one
 * @param objects in apply order (see {@link ApplyOrder})
 * @param crds names of the CRDs it defines
 * @param namespaces namespaces its objects live in or it creates
 * @param images container images it runs
 * @param requests summed CPU and memory requests of its workloads
 * @param adaptations "adaptation-id: Kind ns/name" for every object a k3s adaptation changed
 * @param checks what must hold after the gates, for kfboot-owned components (storage probe, GPUs)
 */
public record PlannedComponent(
    ComponentSpec spec,
    int wave,
    List<K8sObject> objects,
    List<String> crds,
    SortedSet<String> namespaces,
    SortedSet<String> images,
    ResourceRequests requests,
    List<String> adaptations,
    List<ClusterCheck> checks) {

  public PlannedComponent {
    objects = List.copyOf(objects);
    checks = List.copyOf(checks);
  }

  /** A component of a release: its readiness is all in its gates. */
  public PlannedComponent(
      ComponentSpec spec,
      int wave,
      List<K8sObject> objects,
      List<String> crds,
      SortedSet<String> namespaces,
      SortedSet<String> images,
      ResourceRequests requests,
      List<String> adaptations) {
    this(spec, wave, objects, crds, namespaces, images, requests, adaptations, List.of());
  }

  /** The same component with other objects (a patch of its rendered objects). */
  public PlannedComponent withObjects(List<K8sObject> replaced) {
    return new PlannedComponent(
        spec, wave, replaced, crds, namespaces, images, requests, adaptations, checks);
  }

  /** The same component with other adaptation entries (a patch recorded what it changed). */
  public PlannedComponent withAdaptations(List<String> replaced) {
    return new PlannedComponent(
        spec, wave, objects, crds, namespaces, images, requests, replaced, checks);
  }

  /** The same component in another wave (a component was put ahead of it). */
  public PlannedComponent withWave(int replaced) {
    return new PlannedComponent(
        spec, replaced, objects, crds, namespaces, images, requests, adaptations, checks);
  }

  /** The same component under another catalog entry (other dependencies or gates). */
  public PlannedComponent withSpec(ComponentSpec replaced) {
    return new PlannedComponent(
        replaced, wave, objects, crds, namespaces, images, requests, adaptations, checks);
  }

  public String id() {
    return spec.id();
  }

  public List<Gate> gates() {
    return spec.gates();
  }
}
