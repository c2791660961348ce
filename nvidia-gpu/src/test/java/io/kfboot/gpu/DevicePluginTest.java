package io.kfboot.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.components.install.InstallException;
import io.kfboot.components.install.InstallListener;
import io.kfboot.components.install.InstallReport;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.RetryPolicy;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.source.ReleaseRef;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.testing.Golden;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

class DevicePluginTest {
  static final ReleaseTree TREE =
      new ReleaseTree(
          Path.of("."),
          new ReleaseRef("v1.10.2", "d8d643f1a736b28c525bd9b8ee5c9b2f4a661b39"),
          "test",
          false);
  static final Installer.Options OPTIONS =
      new Installer.Options(
          2,
          Duration.ofSeconds(3),
          Duration.ofMillis(5),
          new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)),
          false);

  static String yaml(List<K8sObject> objects) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(o).dumpAll(objects.stream().map(K8sObject::body).iterator());
  }

  static Map<String, String> gpuLabels(int count) {
    return Map.of(
        GpuChecks.PRESENT,
        "true",
        GpuChecks.COUNT,
        String.valueOf(count),
        "kubernetes.io/hostname",
        "x");
  }

  static InstallReport install(KubernetesClient client, InstallPlan plan) {
    return new Installer(client, OPTIONS, InstallListener.NONE, new ClusterDiagnostics(client))
        .install(plan);
  }

  @Test
  void theObjectsAsGolden() throws Exception {
    Golden.check("device-plugin.yaml", yaml(DevicePlugin.objects(1)));
    Golden.check("device-plugin-time-slicing.yaml", yaml(DevicePlugin.objects(4)));
  }

  @Test
  void aNewTimeSlicingSettingRollsThePluginPods() {
    String plain = yaml(DevicePlugin.objects(1).subList(2, 3));
    String shared = yaml(DevicePlugin.objects(4).subList(2, 3));
    assertThat(plain).contains("kfboot.io/config-sha256");
    assertThat(shared).isNotEqualTo(plain);
    assertThat(DevicePlugin.config(4)).contains("replicas: 4");
    assertThat(DevicePlugin.config(1)).doesNotContain("sharing");
  }

  @Test
  void installedByTheEngineUntilEveryGpuNodeOffersItsGpusAndARerunChangesNothing() {
    InstallPlan plan = DevicePlugin.addTo(new InstallPlan(TREE, "none", List.of(), List.of()));
    assertThat(plan.components()).extracting(c -> c.id()).containsExactly(DevicePlugin.ID);
    assertThat(plan.components().get(0).images()).containsExactly(DevicePlugin.IMAGE);
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("gpu-1", gpuLabels(2), Map.of(GpuChecks.RESOURCE, "2", "cpu", "32"));
      cluster.node("cpu-1", Map.of(), Map.of("cpu", "16"));
      InstallReport first = install(client, plan);
      assertThat(first.changes()).isEqualTo(3);
      assertThat(cluster.readyAt("DaemonSet kube-system/" + DevicePlugin.NAME))
          .as("the gate waited for the DaemonSet")
          .isNotNull();
      assertThat(
              client
                  .apps()
                  .daemonSets()
                  .inNamespace("kube-system")
                  .withName(DevicePlugin.NAME)
                  .get()
                  .getSpec()
                  .getTemplate()
                  .getSpec()
                  .getRuntimeClassName())
          .isEqualTo("nvidia");
      assertThat(install(client, plan).changes()).isZero();
    }
  }

  @Test
  void aGpuNodeOfferingFewerGpusThanNvidiaSmiCountedFailsTheInstallNamingIt() {
    InstallPlan plan =
        DevicePlugin.addTo(
            new InstallPlan(TREE, "none", List.of(), List.of()),
            new Inventory.Nvidia(false, 4, false));
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("gpu-1", gpuLabels(2), Map.of(GpuChecks.RESOURCE, "8")); // 2 GPUs x 4 pods each
      cluster.node(
          "gpu-2", gpuLabels(2), Map.of(GpuChecks.RESOURCE, "0")); // the plugin found nothing
      assertThatThrownBy(() -> install(client, plan))
          .isInstanceOfSatisfying(
              InstallException.class,
              e ->
                  assertThat(e.getMessage())
                      .contains(
                          "allocatable nvidia.com/gpu on every GPU node equals the nvidia-smi count"
                              + " x 4")
                      .contains("gpu-1 8/8")
                      .contains("gpu-2 0/8"));
    }
  }

  @Test
  void withoutAnyGpuNodeTheInstallStopsAtOnceWithTheFix() {
    InstallPlan plan = DevicePlugin.addTo(new InstallPlan(TREE, "none", List.of(), List.of()));
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("cpu-1", Map.of(), Map.of("cpu", "16"));
      // the message is the early refusal's own; the gate's timeout would name the wait instead
      assertThatThrownBy(() -> install(client, plan))
          .isInstanceOfSatisfying(
              InstallException.class,
              e -> {
                assertThat(e.getMessage())
                    .contains("no node is labeled nvidia.com/gpu.present=true");
                assertThat(e.fix()).contains("gpu: true").contains("kfboot hosts up");
              });
    }
  }

  @Test
  void withTheGpuOperatorKfbootInstallsNothingAndOnlyChecks() {
    InstallPlan plan =
        DevicePlugin.addTo(
            new InstallPlan(TREE, "none", List.of(), List.of()),
            new Inventory.Nvidia(false, 1, true));
    assertThat(plan.components().get(0).objects()).isEmpty();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.node("gpu-1", gpuLabels(1), Map.of(GpuChecks.RESOURCE, "1"));
      assertThat(install(client, plan).changes()).isZero();
      assertThat(
              client
                  .apps()
                  .daemonSets()
                  .inNamespace("kube-system")
                  .withName(DevicePlugin.NAME)
                  .get())
          .isNull();
    }
  }
}
