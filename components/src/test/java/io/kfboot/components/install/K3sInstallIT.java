package io.kfboot.components.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.components.k3s.IstioCniK3sPaths;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.Planner;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.DockerK3s;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.testcontainers.k3s.K3sContainer;

/**
 * cert-manager, Istio and the PodDefaults admission webhook from the real v1.10.2 render, installed
 * on a real k3s in a container, rerun without changes, then uninstalled. Runs where a Docker engine
 * can start privileged containers; skipped, with the reason printed, elsewhere.
 */
class K3sInstallIT {
  @Test
  void installRerunUninstallOnRealK3s() {
    DockerK3s.requireDockerOrSkip();
    Kustomize kustomize = Fixtures.kustomize();
    ReleaseTree tree = Fixtures.tree(Fixtures.V1_10_2);
    ReleaseCatalog catalog = Catalogs.shipped().require(tree.release());
    InstallPlan plan =
        new Planner(
                new Renderer(kustomize, 2, Duration.ofMinutes(3), Progress.SILENT), Progress.SILENT)
            .plan(
                new Planner.Request(
                    tree,
                    catalog,
                    List.of("istio-install", "admission-webhook"),
                    List.of(),
                    false,
                    List.of(new IstioCniK3sPaths())),
                kustomize.describe());
    assertThat(plan.components())
        .extracting(c -> c.id())
        .contains(
            "cert-manager",
            "kubeflow-issuer",
            "istio-crds",
            "istio-install",
            "kubeflow-namespace",
            "admission-webhook");

    try (K3sContainer k3s = DockerK3s.container()) {
      k3s.start();
      try (KubernetesClient client = DockerK3s.client(k3s)) {
        Installer.Options options =
            new Installer.Options(
                8, Duration.ofMinutes(8), Duration.ofSeconds(2), RetryPolicy.DEFAULT);
        InstallReport first =
            new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client))
                .install(plan);
        assertThat(first.changes()).isEqualTo(plan.objectCount());
        assertThat(
                client
                    .apps()
                    .deployments()
                    .inNamespace("kubeflow")
                    .withName("admission-webhook-deployment")
                    .get()
                    .getStatus()
                    .getAvailableReplicas())
            .isEqualTo(1);

        InstallReport again =
            new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client))
                .install(plan);
        assertThat(again.changes()).as("a rerun on the installed cluster").isZero();

        new Uninstaller(client, options, InstallListener.NONE, new ClusterDiagnostics(client))
            .uninstall(plan, Set.of(), false);
        assertThat(client.namespaces().withName("cert-manager").get()).isNull();
        assertThat(InstallState.read(client)).isEmpty();
      }
    }
  }
}
