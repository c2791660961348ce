package io.kfboot.gpu;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.plan.ClusterCheck;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether the GPUs the hosts have are what the cluster offers. kfboot labels each GPU node with
 * {@value #PRESENT} and, from nvidia-smi, {@value #COUNT} (the labels NVIDIA's GPU feature
 * discovery uses, so the GPU Operator sets the same); the device plugin then reports allocatable
 * {@value #RESOURCE}. A node whose allocatable differs is the "GPU that is there but invisible" of
 * issue reports: driver, runtime or plugin are wrong on it.
 */
public final class GpuChecks {
  public static final String RESOURCE = "nvidia.com/gpu";
  public static final String PRESENT = "nvidia.com/gpu.present";
  public static final String COUNT = "nvidia.com/gpu.count";

  private GpuChecks() {}

  /** What one GPU node offers against what it should. */
  public record NodeGpus(String node, long allocatable, Long expected) {
    boolean ok() {
      return expected == null ? allocatable > 0 : allocatable == expected;
    }

    String describe() {
      return node + " " + allocatable + "/" + (expected == null ? ">0" : expected);
    }
  }

  /** Every node labeled {@value #PRESENT}=true, with its allocatable and expected GPU count. */
  public static List<NodeGpus> look(KubernetesClient client, int timeSlicing) {
    List<NodeGpus> out = new ArrayList<>();
    for (Node n : client.nodes().withLabel(PRESENT, "true").list().getItems()) {
      Map<String, String> labels = n.getMetadata().getLabels();
      Long expected = null;
      String count = labels.get(COUNT);
      if (count != null && count.matches("[0-9]+")) {
        expected = Long.parseLong(count) * timeSlicing;
      }
      out.add(new NodeGpus(n.getMetadata().getName(), allocatable(n), expected));
    }
    return out;
  }

  static long allocatable(Node n) {
    Map<String, Quantity> a = n.getStatus() == null ? null : n.getStatus().getAllocatable();
    Quantity q = a == null ? null : a.get(RESOURCE);
    return q == null ? 0 : Quantity.getAmountInBytes(q).longValue();
  }

  /**
   * The check the GPU component ends with: every GPU node offers its GPUs (times the pods that may
   * share one). A cluster without any GPU node fails at once rather than waiting.
   */
  public static ClusterCheck allocatable(int timeSlicing) {
    return new ClusterCheck() {
      @Override
      public String description() {
        return "allocatable "
            + RESOURCE
            + " on every GPU node equals the nvidia-smi count"
            + (timeSlicing > 1 ? " x " + timeSlicing : "");
      }

      @Override
      public Condition start(KubernetesClient client) {
        if (look(client, timeSlicing).isEmpty()) {
          throw new VerifyException(
              "no node is labeled " + PRESENT + "=true, so no GPU can be scheduled",
              "mark GPU hosts gpu: true in the inventory and run 'kfboot hosts up', or label the"
                  + " nodes yourself (kubectl label node NAME "
                  + PRESENT
                  + "=true); or install without --gpu",
              "");
        }
        return condition(client, timeSlicing, description());
      }

      /** Declaratively, per-node counts cannot be awaited: one GPU that runs CUDA stands in. */
      @Override
      public Map<HasMetadata, String> asAwaitedObjects() {
        Map<HasMetadata, String> out = new LinkedHashMap<>();
        out.put(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(CudaSmokeTest.NAMESPACE)
                .endMetadata()
                .build(),
            "");
        out.put(CudaSmokeTest.pod(null), "jsonpath={.status.phase}=Succeeded");
        return out;
      }
    };
  }

  static Condition condition(KubernetesClient client, int timeSlicing, String description) {
    return Condition.of(
        description,
        List.of(DevicePlugin.NAMESPACE),
        () -> {
          List<NodeGpus> nodes = look(client, timeSlicing);
          boolean all = !nodes.isEmpty() && nodes.stream().allMatch(NodeGpus::ok);
          return new ConditionResult(
              all, String.join(", ", nodes.stream().map(NodeGpus::describe).toList()));
        });
  }
}
