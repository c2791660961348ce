package io.kfboot.gpu;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who holds which GPUs, per node, as {@code arena top node} showed it: allocatable GPUs, the GPUs
 * requested by pods that still hold them (not Succeeded or Failed), and those pods. A GPU is held
 * by its pod's limit (the device plugin allocates whole GPUs by limit, requests must equal it).
 */
public final class GpuUsage {
  private GpuUsage() {}

  public record PodGpus(String namespace, String name, String phase, long gpus) {}

  public record NodeUsage(
      String node, boolean gpuNode, long allocatable, long allocated, List<PodGpus> pods) {
    public long free() {
      return Math.max(0, allocatable - allocated);
    }
  }

  /** Every node that is a GPU node or offers or holds GPUs, by name. */
  public static List<NodeUsage> read(KubernetesClient client) {
    Map<String, List<PodGpus>> byNode = new LinkedHashMap<>();
    for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
      String phase =
          p.getStatus() == null || p.getStatus().getPhase() == null
              ? "Pending"
              : p.getStatus().getPhase();
      long gpus = gpuLimit(p);
      if (gpus == 0
          || phase.equals("Succeeded")
          || phase.equals("Failed")
          || p.getSpec().getNodeName() == null) {
        continue;
      }
      byNode
          .computeIfAbsent(p.getSpec().getNodeName(), k -> new ArrayList<>())
          .add(new PodGpus(p.getMetadata().getNamespace(), p.getMetadata().getName(), phase, gpus));
    }
    List<NodeUsage> out = new ArrayList<>();
    for (Node n : client.nodes().list().getItems()) {
      String name = n.getMetadata().getName();
      Map<String, String> labels =
          n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
      boolean gpuNode = "true".equals(labels.get(GpuChecks.PRESENT));
      long allocatable = GpuChecks.allocatable(n);
      List<PodGpus> pods =
          byNode.getOrDefault(name, List.of()).stream()
              .sorted(Comparator.comparing(PodGpus::namespace).thenComparing(PodGpus::name))
              .toList();
      if (gpuNode || allocatable > 0 || !pods.isEmpty()) {
        out.add(
            new NodeUsage(
                name, gpuNode, allocatable, pods.stream().mapToLong(PodGpus::gpus).sum(), pods));
      }
    }
    out.sort(Comparator.comparing(NodeUsage::node));
    return out;
  }

  /** The GPUs a pod's containers are limited to (init containers run before, not beside, them). */
  public static long gpuLimit(Pod p) {
    long sum = 0;
    for (Container c : p.getSpec().getContainers()) {
      Quantity q =
          c.getResources() == null || c.getResources().getLimits() == null
              ? null
              : c.getResources().getLimits().get(GpuChecks.RESOURCE);
      if (q != null) {
        sum += Quantity.getAmountInBytes(q).longValue();
      }
    }
    return sum;
  }

  /** The table {@code kfboot gpus} prints. */
  public static String table(List<NodeUsage> nodes) {
    if (nodes.isEmpty()) {
      return "No GPU nodes: no node is labeled "
          + GpuChecks.PRESENT
          + "=true or offers "
          + GpuChecks.RESOURCE
          + ".\n";
    }
    StringBuilder b =
        new StringBuilder(
            String.format(
                "%-24s %11s %9s %5s  %s%n", "NODE", "ALLOCATABLE", "ALLOCATED", "FREE", "PODS"));
    long alloc = 0;
    long used = 0;
    for (NodeUsage n : nodes) {
      String pods =
          n.pods().isEmpty()
              ? "-"
              : String.join(
                  ", ",
                  n.pods().stream()
                      .map(
                          p ->
                              p.namespace()
                                  + "/"
                                  + p.name()
                                  + " ("
                                  + p.gpus()
                                  + (p.phase().equals("Running") ? "" : ", " + p.phase())
                                  + ")")
                      .toList());
      b.append(
          String.format(
              "%-24s %11d %9d %5d  %s%n",
              n.node(), n.allocatable(), n.allocated(), n.free(), pods));
      if (n.gpuNode() && n.allocatable() == 0) {
        b.append(
            String.format(
                "%-24s %s%n",
                "",
                "^ labeled a GPU node but offers no GPU: see 'kubectl -n kube-system logs ds/"
                    + DevicePlugin.NAME
                    + "'"));
      }
      alloc += n.allocatable();
      used += n.allocated();
    }
    b.append(
        String.format("%-24s %11d %9d %5d%n", "TOTAL", alloc, used, Math.max(0, alloc - used)));
    return b.toString();
  }
}
