package io.kfboot.components.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * cert-manager, Istio and the PodDefaults admission webhook from the real v1.10.2 render, installed
 * on a real k3s in a container, rerun without changes, then uninstalled. Runs where a Docker engine
 * can start privileged containers; skipped, with the reason printed, elsewhere.
 */
class K3sInstallIT {
  static final String K3S_IMAGE = "rancher/k3s:v1.32.4-k3s1";

  @Test
  void installRerunUninstallOnRealK3s() {
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      docker = false;
    }
    if (!docker) {
      String reason = "no Docker engine here, so no k3s container (Testcontainers found none)";
      System.err.println("SKIPPED: " + reason);
      assumeTrue(false, reason);
    }
    Kustomize kustomize = Fixtures.kustomize();
    ReleaseTree tree = Fixtures.tree(Fixtures.V1_10_2);
    ReleaseCatalog catalog = Catalogs.shipped().require(tree.release());
    InstallPlan plan = new Planner(new Renderer(kustomize, 2, Duration.ofMinutes(3), Progress.SILENT), Progress.SILENT)
        .plan(new Planner.Request(tree, catalog, List.of("istio-install", "admission-webhook"), List.of(), false, List.of(new IstioCniK3sPaths())),
            kustomize.describe());
    assertThat(plan.components()).extracting(c -> c.id())
        .contains("cert-manager", "kubeflow-issuer", "istio-crds", "istio-install", "kubeflow-namespace", "admission-webhook");

    try (K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE))) {
      k3s.start();
      Config config = new ConfigBuilder(Config.fromKubeconfig(k3s.getKubeConfigYaml())).withRequestRetryBackoffLimit(0).build();
      try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
        Installer.Options options = new Installer.Options(8, Duration.ofMinutes(8), Duration.ofSeconds(2), RetryPolicy.DEFAULT);
        InstallReport first = new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client)).install(plan);
        assertThat(first.changes()).isEqualTo(plan.objectCount());
        assertThat(client.apps().deployments().inNamespace("kubeflow").withName("admission-webhook-deployment").get().getStatus().getAvailableReplicas()).isEqualTo(1);

        InstallReport again = new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client)).install(plan);
        assertThat(again.changes()).as("a rerun on the installed cluster").isZero();

        new Uninstaller(client, options, InstallListener.NONE, new ClusterDiagnostics(client)).uninstall(plan, Set.of(), false);
        assertThat(client.namespaces().withName("cert-manager").get()).isNull();
        assertThat(InstallState.read(client)).isEmpty();
      }
    }
  }
}
