package io.kfboot.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CudaSmokeTestTest {
  static final String PASSED =
      """
      [Vector addition of 50000 elements]
      Copy input data from the host memory to the CUDA device
      CUDA kernel launch with 196 blocks of 256 threads
      Copy output data from the CUDA device to the host memory
      Test PASSED
      Done
      """;

  static Waiter waiter(KubernetesClient client) {
    return new Waiter(Duration.ofMillis(10), new ClusterDiagnostics(client), (c, r, e) -> {});
  }

  @Test
  void theSampleRunsOnAGpuWithoutARuntimeClassAndIsRemovedAfterwards() {
    Pod pod = CudaSmokeTest.pod(null);
    assertThat(pod.getSpec().getRuntimeClassName())
        .as("proves nvidia is the default runtime")
        .isNull();
    assertThat(
            pod.getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getLimits()
                .get(GpuChecks.RESOURCE)
                .getAmount())
        .isEqualTo("1");
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("gpu-1", Map.of(GpuChecks.PRESENT, "true"), Map.of(GpuChecks.RESOURCE, "1"));
      cluster.podLog(CudaSmokeTest.NAMESPACE, CudaSmokeTest.POD, PASSED);
      CudaSmokeTest.Result r =
          new CudaSmokeTest(client, waiter(client)).run(null, Duration.ofSeconds(10));
      assertThat(r.node()).isEqualTo("gpu-1");
      assertThat(r.log()).contains("Test PASSED");
      assertThat(
              client.pods().inNamespace(CudaSmokeTest.NAMESPACE).withName(CudaSmokeTest.POD).get())
          .isNull();
    }
  }

  @Test
  void aFailedSampleIsAnErrorWithWhatItPrinted() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("gpu-1", Map.of(GpuChecks.PRESENT, "true"), Map.of(GpuChecks.RESOURCE, "1"));
      cluster.podFails(
          CudaSmokeTest.NAMESPACE,
          CudaSmokeTest.POD,
          "Failed to allocate device vector A (error code CUDA driver version is insufficient for"
              + " CUDA runtime version)!\n");
      assertThatThrownBy(
              () -> new CudaSmokeTest(client, waiter(client)).run(null, Duration.ofSeconds(10)))
          .isInstanceOfSatisfying(
              VerifyException.class,
              e -> {
                assertThat(e.getMessage())
                    .contains("ended Failed on gpu-1")
                    .contains("CUDA driver version is insufficient");
                assertThat(e.fix()).contains("default-runtime: nvidia");
              });
      assertThat(
              client.pods().inNamespace(CudaSmokeTest.NAMESPACE).withName(CudaSmokeTest.POD).get())
          .isNull();
    }
  }

  @Test
  void withoutAFreeGpuTheWaitEndsWithTheSchedulersReason() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("cpu-1", Map.of(), Map.of("cpu", "8"));
      assertThatThrownBy(
              () -> new CudaSmokeTest(client, waiter(client)).run(null, Duration.ofMillis(600)))
          .isInstanceOfSatisfying(
              VerifyException.class,
              e -> assertThat(e.diagnostics()).contains("Insufficient nvidia.com/gpu"));
    }
  }
}
