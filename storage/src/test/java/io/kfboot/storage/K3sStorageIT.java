package io.kfboot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.components.install.InstallListener;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.RetryPolicy;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.DockerK3s;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.k3s.K3sContainer;

/**
 * The storage component on a real k3s in a container: k3s' bundled local-path is found, made the
 * only default, and a real probe claim binds for a real busybox pod. Runs where a Docker engine can
 * start privileged containers (and pull busybox); skipped, with the reason printed, elsewhere.
 */
class K3sStorageIT {
  @Test
  void theProbeBindsOnK3sLocalPath() {
    DockerK3s.requireDockerOrSkip();
    try (K3sContainer k3s = DockerK3s.container()) {
      k3s.start();
      try (KubernetesClient client = DockerK3s.client(k3s)) {
        assertThat(StorageComponent.hasBundledLocalPath(client)).isTrue();
        InstallPlan plan =
            StorageComponent.addTo(
                new InstallPlan(StorageComponentTest.TREE, "none", List.of(), List.of()),
                Inventory.Storage.DEFAULTS,
                true);
        Installer.Options options =
            new Installer.Options(
                2, Duration.ofMinutes(5), Duration.ofSeconds(2), RetryPolicy.DEFAULT);
        new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client))
            .install(plan);
        assertThat(DefaultClassCheck.defaults(client)).containsExactly("local-path");
        assertThat(
                client
                    .persistentVolumeClaims()
                    .inNamespace(ProbeVolumeCheck.NAMESPACE)
                    .withName(ProbeVolumeCheck.NAME)
                    .get())
            .isNull();
      }
    }
  }
}
