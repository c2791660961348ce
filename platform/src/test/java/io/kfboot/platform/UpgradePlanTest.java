package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.components.upgrade.ReleaseDiff;
import io.kfboot.components.upgrade.UpgradeException;
import io.kfboot.components.upgrade.UpgradeHop;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import io.kfboot.manifests.source.ReleaseRef;
import io.kfboot.manifests.source.ReleaseTree;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UpgradePlanTest {
  private static K8sObject claim(String storageClass, String size) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("apiVersion", "v1");
    body.put("kind", "PersistentVolumeClaim");
    body.put("metadata", Map.of("name", "mysql-pv-claim", "namespace", "kubeflow"));
    body.put(
        "spec",
        Map.of(
            "storageClassName",
            storageClass,
            "accessModes",
            List.of("ReadWriteOnce"),
            "resources",
            Map.of("requests", Map.of("storage", size))));
    return K8sObject.of(body);
  }

  private static InstallPlan plan(String tag, K8sObject o) {
    return new InstallPlan(
        new ReleaseTree(Path.of("/nonexistent"), new ReleaseRef(tag, "0".repeat(40)), "", false),
        "",
        List.of(
            new PlannedComponent(
                new ComponentSpec(
                    "pipelines", "", List.of(), List.of(), List.of(), List.of(), true, false),
                0,
                List.of(o),
                List.of(),
                new TreeSet<>(),
                new TreeSet<>(),
                ResourceRequests.ZERO,
                List.of())),
        List.of());
  }

  private static UpgradePlan upgrade(K8sObject before, K8sObject after) {
    InstallPlan from = plan("v1.10.1", before);
    AppliedInventory inventory = AppliedInventory.empty().plus(from, "default");
    InstallPlan to = plan("v1.10.2", after);
    return new UpgradePlan(
        new UpgradeHop("v1.10.1", "v1.10.2", List.of()),
        ReleaseDiff.between(from, inventory, to),
        false,
        Map.of(),
        List.of(),
        from,
        to,
        inventory,
        List.of("pipelines"));
  }

  @Test
  @DisplayName(
      "a claim whose spec changes beyond its size is refused with the object, the field and where"
          + " to see the plan; a larger size alone is not")
  void refusalsStopTheUpgradeWithTheirFix() {
    UpgradePlan refused = upgrade(claim("local-path", "20Gi"), claim("nfs", "20Gi"));

    assertThat(refused.refusals()).hasSize(1);
    assertThatThrownBy(refused::requireNoRefusals)
        .isInstanceOf(UpgradeException.class)
        .hasMessageContaining("v1.10.2")
        .hasMessageContaining("PersistentVolumeClaim kubeflow/mysql-pv-claim")
        .satisfies(
            e ->
                assertThat(((KfbootException) e).fix())
                    .contains("kfboot upgrade --to v1.10.2 --plan")
                    .contains("nothing was changed"));

    UpgradePlan grown = upgrade(claim("local-path", "20Gi"), claim("local-path", "40Gi"));
    assertThat(grown.refusals()).isEmpty();
    assertThatCode(grown::requireNoRefusals).doesNotThrowAnyException();
  }
}
