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
 */
public record PlannedComponent(
    ComponentSpec spec,
    int wave,
    List<K8sObject> objects,
    List<String> crds,
    SortedSet<String> namespaces,
    SortedSet<String> images,
    ResourceRequests requests,
    List<String> adaptations) {

  public String id() {
    return spec.id();
  }

  public List<Gate> gates() {
    return spec.gates();
  }
}
