package io.kfboot.verify.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The health checks against the simulated cluster in scripted states. */
class HealthChecksTest {
  static List<CheckResult> run(KubernetesClient client, List<VerifyCheck> checks) {
    return new VerifyRunner(
            client,
            new ClusterDiagnostics(client),
            Duration.ofMillis(20),
            Duration.ofMillis(600),
            line -> {})
        .run(checks, Set.of());
  }

  /**
   * A pod in the state a kubelet reports. The simulated kubelet runs every new pod once; the
   * scripted state is written after that, so that it is the one that stays.
   */
  static void pod(
      KubernetesClient client,
      String ns,
      String name,
      String phase,
      boolean ready,
      int restarts,
      String waiting)
      throws InterruptedException {
    Pod p =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("main")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .build();
    client.pods().inNamespace(ns).resource(p).create();
    Pod stored = client.pods().inNamespace(ns).withName(name).get();
    for (int i = 0;
        i < 12_000 && (stored.getStatus() == null || stored.getStatus().getPhase() == null);
        i++) {
      Thread.sleep(10);
      stored = client.pods().inNamespace(ns).withName(name).get();
    }
    var status =
        new ContainerStatusBuilder()
            .withName("main")
            .withReady(ready)
            .withRestartCount(restarts)
            .withImage("busybox");
    if (waiting != null) {
      status.withNewState().withNewWaiting().withReason(waiting).endWaiting().endState();
    }
    stored.setStatus(
        new PodStatusBuilder().withPhase(phase).withContainerStatuses(status.build()).build());
    client.pods().inNamespace(ns).resource(stored).updateStatus();
  }

  @Test
  void aHealthyPlatformPassesAndRestartsAreNamed() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("server-1", Map.of(), Map.of("cpu", "8"));
      pod(client, "kubeflow", "ml-pipeline-0", "Running", true, 0, null);
      pod(client, "kubeflow", "mysql-0", "Running", true, 7, null);
      pod(client, "kubeflow", "setup-job", "Succeeded", false, 0, null);
      List<CheckResult> r = run(client, HealthChecks.all(List.of("kubeflow")));
      assertThat(r).allMatch(x -> x.status() == CheckResult.Status.PASSED);
      assertThat(r)
          .filteredOn(x -> x.id().equals("pods-healthy"))
          .singleElement()
          .satisfies(
              x ->
                  assertThat(x.detail())
                      .isEqualTo("3 pods healthy; restarted often: kubeflow/mysql-0 (7 restarts)"));
    }
  }

  @Test
  void anUnhealthyPodFailsWithItsReasonAndTheNamespaceDiagnostics() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("server-1", Map.of(), Map.of("cpu", "8"));
      pod(client, "kubeflow", "katib-db-0", "Running", false, 12, "CrashLoopBackOff");
      CheckResult r =
          run(
                  client,
                  List.of(HealthChecks.nodesReady(), HealthChecks.podsHealthy(List.of("kubeflow"))))
              .get(1);
      assertThat(r.status()).isEqualTo(CheckResult.Status.FAILED);
      assertThat(r.detail())
          .contains("1 of 1 pods not healthy: kubeflow/katib-db-0 Running (CrashLoopBackOff)")
          .contains("restarted often: kubeflow/katib-db-0 (12 restarts)")
          .contains("timed out after 600ms");
      assertThat(r.diagnostics()).contains("namespace kubeflow").contains("katib-db-0");
    }
  }

  @Test
  void withoutNodesEverythingElseIsSkipped() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      List<CheckResult> r = run(client, HealthChecks.all(List.of("kubeflow")));
      assertThat(r.get(0).status()).isEqualTo(CheckResult.Status.FAILED);
      assertThat(r.get(0).detail()).contains("no node registered");
      assertThat(r.subList(1, r.size())).allMatch(x -> x.status() == CheckResult.Status.SKIPPED);
    }
  }
}
