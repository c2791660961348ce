package io.kfboot.manifests.parse;

import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * CPU and memory requested by the workloads among some objects: the sum over Deployments,
 * StatefulSets, ReplicaSets (times replicas), DaemonSets (once, i.e. per node), Jobs and Pods. A
 * pod's request is what the scheduler uses: the larger of its summed containers and its largest
 * init container.
 *
 * @param cpuMillis summed CPU in millicores
 * @param memoryBytes summed memory in bytes
 */
public record ResourceRequests(long cpuMillis, long memoryBytes) {
  public static final ResourceRequests ZERO = new ResourceRequests(0, 0);

  public ResourceRequests plus(ResourceRequests o) {
    return new ResourceRequests(cpuMillis + o.cpuMillis, memoryBytes + o.memoryBytes);
  }

  public long memoryMiB() {
    return memoryBytes >> 20;
  }

  public static ResourceRequests of(Collection<K8sObject> objects) {
    ResourceRequests total = ZERO;
    for (K8sObject o : objects) {
      total = total.plus(of(o));
    }
    return total;
  }

  public static ResourceRequests of(K8sObject o) {
    Map<String, Object> spec = K8sObject.map(o.body().get("spec"));
    Map<String, Object> podSpec;
    long copies = 1;
    switch (o.kind()) {
      case "Deployment", "StatefulSet", "ReplicaSet" -> {
        podSpec = K8sObject.map(K8sObject.map(spec.get("template")).get("spec"));
        copies = spec.get("replicas") instanceof Number n ? n.longValue() : 1;
      }
      case "DaemonSet", "Job" ->
          podSpec = K8sObject.map(K8sObject.map(spec.get("template")).get("spec"));
      case "Pod" -> podSpec = spec;
      default -> {
        return ZERO;
      }
    }
    ResourceRequests containers = sum(podSpec.get("containers"));
    ResourceRequests init = max(podSpec.get("initContainers"));
    ResourceRequests pod =
        new ResourceRequests(
            Math.max(containers.cpuMillis, init.cpuMillis),
            Math.max(containers.memoryBytes, init.memoryBytes));
    return new ResourceRequests(pod.cpuMillis * copies, pod.memoryBytes * copies);
  }

  private static ResourceRequests sum(Object containers) {
    ResourceRequests total = ZERO;
    for (Object c : list(containers)) {
      total = total.plus(requestsOf(c));
    }
    return total;
  }

  private static ResourceRequests max(Object containers) {
    long cpu = 0;
    long mem = 0;
    for (Object c : list(containers)) {
      ResourceRequests r = requestsOf(c);
      cpu = Math.max(cpu, r.cpuMillis);
      mem = Math.max(mem, r.memoryBytes);
    }
    return new ResourceRequests(cpu, mem);
  }

  private static ResourceRequests requestsOf(Object container) {
    Map<String, Object> requests =
        K8sObject.map(K8sObject.map(K8sObject.map(container).get("resources")).get("requests"));
    return new ResourceRequests(
        amount(requests.get("cpu")).movePointRight(3).longValue(),
        amount(requests.get("memory")).longValue());
  }

  private static BigDecimal amount(Object value) {
    if (value == null) {
      return BigDecimal.ZERO;
    }
    try {
      return Quantity.getAmountInBytes(new Quantity(String.valueOf(value)));
    } catch (IllegalArgumentException e) {
      // A quantity kustomize let through but the API server would reject; it requests nothing.
      return BigDecimal.ZERO;
    }
  }

  private static List<?> list(Object o) {
    return o instanceof List<?> l ? l : List.of();
  }
}
