package io.kfboot.components.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.ResourceRequests;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
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
  @DisplayName(
      "what an earlier release left (in a component the plan still has, or in one it dropped) is"
          + " removed with the rest, and nothing kfboot did not apply")
  void leftoversOfEarlierReleasesGoToo() {
    InstallPlan plan = SimulatedPlans.v1102();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      SimulatedPlans.installer(client, InstallListener.NONE).install(plan);
      for (String name : List.of("left-by-v1.9", "users-own")) {
        client
            .configMaps()
            .inNamespace("default")
            .resource(
                new ConfigMapBuilder()
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace("default")
                    .endMetadata()
                    .build())
            .create();
      }
      client
          .rbac()
          .clusterRoles()
          .resource(
              new ClusterRoleBuilder()
                  .withNewMetadata()
                  .withName("dropped-role")
                  .endMetadata()
                  .build())
          .create();
      AppliedInventory inventory = AppliedInventory.read(client).orElseThrow();
      PlannedComponent pipelines =
          plan.components().stream()
              .filter(c -> c.id().equals("pipelines"))
              .findFirst()
              .orElseThrow();
      PlannedComponent dropped =
          new PlannedComponent(
              new ComponentSpec(
                  "mxjob-operator", "", List.of(), List.of(), List.of(), List.of(), true, false),
              0,
              List.of(
                  new AppliedInventory.Entry(
                          "rbac.authorization.k8s.io/v1", "ClusterRole", "", "dropped-role")
                      .toObject()),
              List.of(),
              new TreeSet<>(),
              new TreeSet<>(),
              ResourceRequests.ZERO,
              List.of());
      inventory
          .plus(
              new InstallPlan(
                  plan.tree(),
                  plan.kustomize(),
                  List.of(
                      pipelines.withObjects(
                          List.of(
                              new AppliedInventory.Entry(
                                      "v1", "ConfigMap", "default", "left-by-v1.9")
                                  .toObject())),
                      dropped),
                  List.of()),
              "default")
          .write(client, RetryPolicy.once(), (what, attempt, attempts, error, pause) -> {});

      uninstaller(client).uninstall(plan, Set.of(), false);

      assertThat(left(cluster)).containsExactly("v1 ConfigMap default/users-own");
      assertThat(AppliedInventory.read(client)).isEmpty();
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
          .hasSize(baseObjects + 2) // + the install state and the inventory
          .contains(
              "v1 ConfigMap kube-system/kfboot-inventory",
              "apps/v1 Deployment cert-manager/cert-manager",
              "apps/v1 Deployment istio-system/istiod");
      assertThat(InstallState.read(client))
          .get()
          .extracting(InstallState::done)
          .satisfies(
              done -> assertThat(done).containsExactlyInAnyOrderElementsOf(Uninstaller.BASE));
      assertThat(AppliedInventory.read(client))
          .get()
          .extracting(i -> i.components().keySet())
          .satisfies(ids -> assertThat(ids).containsExactlyInAnyOrderElementsOf(Uninstaller.BASE));
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
