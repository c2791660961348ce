package io.kfboot.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.testing.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GpuUsageTest {
  static Pod pod(String ns, String name, int gpus, String restart) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(ns)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy(restart)
        .addNewContainer()
        .withName("main")
        .withImage("pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime")
        .withNewResources()
        .withLimits(
            gpus == 0 ? Map.of() : Map.of(GpuChecks.RESOURCE, new Quantity(String.valueOf(gpus))))
        .endResources()
        .endContainer()
        .endSpec()
        .build();
  }

  @Test
  void perNodeAllocatableAllocatedAndTheHoldingPods() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("gpu-1", Map.of(GpuChecks.PRESENT, "true"), Map.of(GpuChecks.RESOURCE, "2"));
      cluster.node("gpu-2", Map.of(GpuChecks.PRESENT, "true"), Map.of(GpuChecks.RESOURCE, "0"));
      cluster.node("cpu-1", Map.of(), Map.of("cpu", "8"));
      client
          .pods()
          .inNamespace("kubeflow-user")
          .resource(pod("kubeflow-user", "notebook-0", 1, "Always"))
          .create();
      awaitPhase(client, "kubeflow-user", "notebook-0", "Running");
      client
          .pods()
          .inNamespace("kubeflow-user")
          .resource(pod("kubeflow-user", "train-worker-0", 1, "Always"))
          .create();
      awaitPhase(client, "kubeflow-user", "train-worker-0", "Running");
      // finished pods hold nothing; a pod that fits nowhere waits unscheduled
      client
          .pods()
          .inNamespace("kubeflow-user")
          .resource(pod("kubeflow-user", "done", 1, "Never"))
          .create();
      client
          .pods()
          .inNamespace("kubeflow-user")
          .resource(pod("kubeflow-user", "too-big", 4, "Always"))
          .create();
      client
          .pods()
          .inNamespace("kubeflow-user")
          .resource(pod("kubeflow-user", "cpu-only", 0, "Always"))
          .create();
      awaitPhase(client, "kubeflow-user", "too-big", "Pending");
      awaitPhase(client, "kubeflow-user", "cpu-only", "Running");

      List<GpuUsage.NodeUsage> usage = GpuUsage.read(client);
      assertThat(usage).extracting(GpuUsage.NodeUsage::node).containsExactly("gpu-1", "gpu-2");
      GpuUsage.NodeUsage gpu1 = usage.get(0);
      assertThat(gpu1.allocatable()).isEqualTo(2);
      assertThat(gpu1.allocated()).isEqualTo(2);
      assertThat(gpu1.free()).isZero();
      assertThat(gpu1.pods())
          .extracting(GpuUsage.PodGpus::name)
          .containsExactly("notebook-0", "train-worker-0");
      String table = GpuUsage.table(usage);
      assertThat(table)
          .contains("kubeflow-user/notebook-0 (1)")
          .contains("labeled a GPU node but offers no GPU")
          .containsPattern("TOTAL\\s+2\\s+2\\s+0");
    }
  }

  @Test
  void aClusterWithoutGpusSaysSo() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("cpu-1", Map.of(), Map.of("cpu", "8"));
      assertThat(GpuUsage.read(client)).isEmpty();
      assertThat(GpuUsage.table(List.of())).startsWith("No GPU nodes");
    }
  }

  /** The simulated scheduler acts a little after the write. */
  static void awaitPhase(KubernetesClient client, String ns, String name, String phase) {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    String seen = null;
    while (System.nanoTime() < deadline) {
      Pod p = client.pods().inNamespace(ns).withName(name).get();
      seen = p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
      if (phase.equals(seen)) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("pod " + ns + "/" + name + " is " + seen + ", not " + phase);
  }
}
