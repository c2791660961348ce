package io.kfboot.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.bootstrap.testing.Golden;
import io.kfboot.components.install.InstallListener;
import io.kfboot.components.install.InstallReport;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.RetryPolicy;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.source.ReleaseRef;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

class DevicePluginTest {
  @Test
  void theObjectsAsGolden() throws Exception {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    Golden.check("device-plugin.yaml", new Yaml(o).dumpAll(DevicePlugin.objects().stream().map(K8sObject::body).iterator()));
  }

  @Test
  void installedByTheEngineWithItsGateAndARerunChangesNothing() {
    ReleaseTree tree = new ReleaseTree(Path.of("."), new ReleaseRef("v1.10.2", "d8d643f1a736b28c525bd9b8ee5c9b2f4a661b39"), "test", false);
    InstallPlan plan = DevicePlugin.addTo(new InstallPlan(tree, "none", List.of(), List.of()));
    assertThat(plan.components()).extracting(c -> c.id()).containsExactly(DevicePlugin.ID);
    assertThat(plan.components().get(0).images()).containsExactly(DevicePlugin.IMAGE);
    Installer.Options options = new Installer.Options(2, Duration.ofSeconds(20), Duration.ofMillis(5), new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)), false);
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      InstallReport first = new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client)).install(plan);
      assertThat(first.changes()).isEqualTo(2);
      assertThat(cluster.readyAt("DaemonSet kube-system/" + DevicePlugin.NAME)).as("the gate waited for the DaemonSet").isNotNull();
      assertThat(client.apps().daemonSets().inNamespace("kube-system").withName(DevicePlugin.NAME).get().getSpec().getTemplate().getSpec().getRuntimeClassName())
          .isEqualTo("nvidia");
      InstallReport again = new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client)).install(plan);
      assertThat(again.changes()).isZero();
    }
  }
}
