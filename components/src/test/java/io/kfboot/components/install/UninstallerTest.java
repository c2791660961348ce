package io.kfboot.components.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class UninstallerTest {
  private static Uninstaller uninstaller(KubernetesClient client) {
    return new Uninstaller(
        client, SimulatedPlans.fastOptions(), InstallListener.NONE, new ClusterDiagnostics(client));
  }

  private static Set<String> left(SimulatedCluster cluster) {
    // Endpoints are made by the (simulated) endpoints controller, not by kfboot
    return cluster.snapshot().keySet().stream()
        .filter(k -> !k.startsWith("v1 Endpoints "))
        .collect(Collectors.toSet());
  }

  @Test
  void uninstallLeavesNoKfbootObjectAndDeletesCustomResourcesBeforeTheirCrds() {
    InstallPlan plan = SimulatedPlans.v1102();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      SimulatedPlans.installer(client, InstallListener.NONE).install(plan);
      List<String> removed = uninstaller(client).uninstall(plan, Set.of(), false);

      assertThat(removed).hasSize(plan.components().size());
      assertThat(removed.get(removed.size() - 1))
          .as("removed last: what the most depend on")
          .isIn(
              "kubeflow-namespace",
              "istio-crds",
              "istio-namespace",
              "cert-manager",
              "kubeflow-roles");
      assertThat(left(cluster)).isEmpty();
      assertThat(InstallState.read(client)).isEmpty();

      List<SimulatedCluster.Write> deletes =
          cluster.writes().stream().filter(w -> w.op().equals("DELETE")).toList();
      long profileDeleted =
          deletes.stream()
              .filter(w -> w.plural().equals("profiles"))
              .findFirst()
              .orElseThrow()
              .nanos();
      long profileCrdDeleted =
          deletes.stream()
              .filter(w -> w.name().equals("profiles.kubeflow.org"))
              .findFirst()
              .orElseThrow()
              .nanos();
      assertThat(profileDeleted).isLessThan(profileCrdDeleted);

      // A rerun of uninstall on an empty cluster is fine and deletes nothing.
      int before = cluster.writes().size();
      uninstaller(client).uninstall(plan, Set.of(), false);
      assertThat(cluster.writes().stream().skip(before).filter(w -> w.op().equals("DELETE")))
          .isEmpty();
    }
  }

  @Test
  void keepBaseKeepsCertManagerAndIstio() {
    InstallPlan plan = SimulatedPlans.v1102();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      SimulatedPlans.installer(client, InstallListener.NONE).install(plan);
      uninstaller(client).uninstall(plan, Set.of(), true);

      int baseObjects =
          plan.components().stream()
              .filter(c -> Uninstaller.BASE.contains(c.id()))
              .mapToInt(c -> c.objects().size())
              .sum();
      assertThat(left(cluster))
          .hasSize(baseObjects + 1) // + the install state
          .contains(
              "apps/v1 Deployment cert-manager/cert-manager",
              "apps/v1 Deployment istio-system/istiod");
      assertThat(InstallState.read(client))
          .get()
          .extracting(InstallState::done)
          .satisfies(
              done -> assertThat(done).containsExactlyInAnyOrderElementsOf(Uninstaller.BASE));
    }
  }

  @Test
  void aDependencyOfAComponentThatStaysIsNotRemoved() {
    InstallPlan full = SimulatedPlans.v1102();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      SimulatedPlans.installer(client, InstallListener.NONE).install(full);
      int before = cluster.writes().size();
      assertThatThrownBy(() -> uninstaller(client).uninstall(full, Set.of("cert-manager"), false))
          .isInstanceOf(InstallException.class)
          .hasMessageContaining("cert-manager is needed by");
      assertThat(cluster.writes()).hasSize(before);
      // user-namespace has no dependents: it alone can go
      assertThat(cluster.snapshot())
          .containsKey("kubeflow.org/v1beta1 Profile kubeflow-user-example-com");
      uninstaller(client).uninstall(full, Set.of("user-namespace"), false);
      assertThat(cluster.snapshot())
          .doesNotContainKey("kubeflow.org/v1beta1 Profile kubeflow-user-example-com")
          .containsKey("cert-manager.io/v1 ClusterIssuer kubeflow-self-signing-issuer");
      assertThat(InstallState.read(client))
          .get()
          .extracting(InstallState::done)
          .satisfies(d -> assertThat(d).doesNotContain("user-namespace").contains("profiles"));
    }
  }

  @Test
  void aNamespaceHeldByAFinalizerIsReportedWithIt() {
    InstallPlan plan = SimulatedPlans.v1102();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      SimulatedPlans.installer(client, InstallListener.NONE).install(plan);
      client
          .namespaces()
          .withName("auth")
          .edit(
              n -> {
                n.getMetadata().setFinalizers(List.of("example.com/keep-me"));
                return n;
              });
      Installer.Options fast = SimulatedPlans.fastOptions();
      Uninstaller uninstaller =
          new Uninstaller(
              client,
              new Installer.Options(
                  fast.parallelism(), Duration.ofMillis(300), fast.poll(), fast.retry()),
              InstallListener.NONE,
              new ClusterDiagnostics(client));
      assertThatThrownBy(() -> uninstaller.uninstall(plan, Set.of(), false))
          .isInstanceOfSatisfying(
              InstallException.class,
              e -> {
                assertThat(e.getMessage())
                    .contains("component dex")
                    .contains("namespace auth deleted")
                    .contains("Terminating")
                    .contains("example.com/keep-me");
                assertThat(e.fix()).contains("finalizer");
                assertThat(e.stateProblem()).isTrue();
              });
    }
  }
}
