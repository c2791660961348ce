package io.kfboot.components.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.upgrade.KeepRules.Disposition;
import io.kfboot.components.upgrade.ReleaseDiff.ComponentChanges;
import io.kfboot.components.upgrade.ReleaseDiff.Removal;
import io.kfboot.testing.Golden;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The diffs of the fixture release pairs, from their real renders, against golden files. */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class ReleaseDiffTest {

  private static ReleaseDiff diff(String from, String to) {
    InstallPlan old = SimulatedPlans.of(from);
    return ReleaseDiff.between(old, AppliedInventory.of(old), SimulatedPlans.of(to));
  }

  private static Map<String, Disposition> removed(ReleaseDiff d) {
    return d.components().stream()
        .flatMap(c -> c.removed().stream())
        .collect(Collectors.toMap(r -> r.entry().toString(), r -> r.keep().disposition()));
  }

  @Test
  @DisplayName("v1.10.1 -> v1.10.2 as its golden file; nothing that cannot change in place")
  void patchRelease() throws Exception {
    ReleaseDiff d = diff("v1.10.1", "v1.10.2");
    Golden.check("upgrade/v1.10.1-v1.10.2.txt", d.toText());
    assertThat(d.conflicts()).isEmpty();
    assertThat(d.count(ComponentChanges::changed)).isPositive();
  }

  @Test
  @DisplayName(
      "v1.10.2 -> 26.03 as its golden file: MinIO's claim and the training operator's CRDs are"
          + " kept, MinIO pruned, the vendors' skipped minors found")
  void minioToSeaweedfs() throws Exception {
    ReleaseDiff d = diff("v1.10.2", "26.03");
    Golden.check("upgrade/v1.10.2-26.03.txt", d.toText());
    Map<String, Disposition> removed = removed(d);
    assertThat(removed)
        .containsEntry("PersistentVolumeClaim kubeflow/minio-pvc", Disposition.KEEP)
        .containsEntry("Deployment kubeflow/minio", Disposition.PRUNE)
        .containsEntry("Service kubeflow/minio-service", Disposition.PRUNE);
    for (String crd :
        List.of("pytorchjobs", "tfjobs", "mpijobs", "paddlejobs", "xgboostjobs", "jaxjobs")) {
      assertThat(removed)
          .containsEntry(
              "CustomResourceDefinition " + crd + ".kubeflow.org", Disposition.KEEP_IF_IN_USE);
    }
    // shared/research/release-diffs: only the Istio CRDs' storage switch, and both versions stay
    assertThat(d.conflicts()).isEmpty();
    assertThat(d.vendors())
        .extracting(VendorVersions.Move::vendor, VendorVersions.Move::skipped)
        .containsExactlyInAnyOrder(
            tuple("Istio", 1), tuple("cert-manager", 2), tuple("Knative Serving", 4));
    assertThat(VendorVersions.istioChanges(d.vendors())).isTrue();
    assertThat(d.components())
        .filteredOn(c -> c.id().equals("pipelines"))
        .singleElement()
        .satisfies(c -> assertThat(c.added().toString()).contains("Deployment kubeflow/seaweedfs"));
  }

  @Test
  @DisplayName("a cluster's inventory adds what an earlier release left: it is removed too")
  void inventoryBeyondTheOldRender() {
    InstallPlan old = SimulatedPlans.of("v1.10.1");
    AppliedInventory inventory =
        AppliedInventory.of(old)
            .plus(
                new InstallPlan(
                    old.tree(),
                    old.kustomize(),
                    List.of(
                        old.components()
                            .get(0)
                            .withObjects(
                                List.of(
                                    new AppliedInventory.Entry(
                                            "v1", "ConfigMap", "cert-manager", "left-by-v1.9")
                                        .toObject()))),
                    List.of()),
                "default");
    ReleaseDiff d = ReleaseDiff.between(old, inventory, SimulatedPlans.of("v1.10.2"));
    assertThat(d.components().stream().flatMap(c -> c.removed().stream()).map(Removal::entry))
        .extracting(Object::toString)
        .contains("ConfigMap cert-manager/left-by-v1.9");
  }
}
