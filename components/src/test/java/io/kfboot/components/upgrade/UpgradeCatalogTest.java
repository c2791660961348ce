package io.kfboot.components.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.upgrade.UpgradeStep.CopyBucket;
import io.kfboot.components.upgrade.UpgradeStep.DeleteBeforeApply;
import io.kfboot.components.upgrade.UpgradeStep.ResetProfileObjects;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class UpgradeCatalogTest {
  private static final UpgradeCatalog SHIPPED = UpgradeCatalog.shipped(Catalogs.shipped());

  @Test
  @DisplayName("inside one minor line an upgrade is supported and has no steps")
  void patchUpgrade() {
    UpgradeHop hop = SHIPPED.hop("v1.10.1", "v1.10.2");
    assertThat(hop.steps()).isEmpty();
    assertThat(hop).hasToString("v1.10.1 -> v1.10.2");
  }

  @Test
  @DisplayName(
      "v1.10.2 -> 26.03 copies the MinIO bucket into SeaweedFS, then resets profile objects")
  void minioToSeaweedfs() {
    UpgradeHop hop = SHIPPED.hop("v1.10.2", "26.03");
    assertThat(hop.steps()).hasSize(2);
    CopyBucket copy = (CopyBucket) hop.steps().get(0);
    assertThat(copy.bucket()).isEqualTo("mlpipeline");
    assertThat(copy.secret()).isEqualTo("kubeflow/mlpipeline-minio-artifact");
    assertThat(copy.from().pods()).isEqualTo("app=minio");
    assertThat(copy.to().pods()).isEqualTo("app=seaweedfs");
    assertThat(copy.to().port()).isEqualTo(8333);
    assertThat(((ResetProfileObjects) hop.steps().get(1)).objects())
        .extracting(UpgradeStep.ObjectRef::toString)
        .containsExactly("ConfigMap kfp-launcher", "Secret mlpipeline-minio-artifact");
    assertThat(hop.steps()).allSatisfy(s -> assertThat(s.source()).startsWith("https://"));
  }

  @Test
  @DisplayName("v1.9.1 -> v1.10.2 deletes the metacontroller binding whose roleRef changes first")
  void roleRefStep() {
    assertThat(SHIPPED.hop("v1.9.1", "v1.10.2").steps())
        .first()
        .isInstanceOfSatisfying(
            DeleteBeforeApply.class,
            d ->
                assertThat(d.object())
                    .hasToString("ClusterRoleBinding meta-controller-cluster-role-binding"));
  }

  @Test
  @DisplayName("an upgrade over more than one supported step is refused with the path to take")
  void skipRefusedWithThePath() {
    assertThatThrownBy(() -> SHIPPED.hop("v1.9.1", "26.03"))
        .isInstanceOfSatisfying(
            KfbootException.class,
            e -> {
              assertThat(e.getMessage())
                  .contains("the supported path is v1.9.1 -> v1.10.2 -> 26.03");
              assertThat(e.fix())
                  .isEqualTo(
                      "upgrade one supported step at a time: kfboot upgrade --to v1.10.2, then"
                          + " kfboot upgrade --to 26.03");
              assertThat(e.category()).isEqualTo(ExitCategory.INVALID_INPUT);
            });
    assertThat(SHIPPED.route("v1.8.1", "26.03"))
        .containsExactly("v1.8.1", "v1.9.1", "v1.10.2", "26.03");
  }

  @Test
  @DisplayName("a downgrade, the same release and an unknown release are refused with what to do")
  void refusals() {
    assertThatThrownBy(() -> SHIPPED.hop("26.03", "v1.10.2"))
        .hasMessageContaining("kfboot does not downgrade")
        .satisfies(e -> assertThat(((KfbootException) e).fix()).contains("kfboot restore"));
    assertThatThrownBy(() -> SHIPPED.hop("v1.10.2", "v1.10.2"))
        .hasMessageContaining("holds v1.10.2 already");
    assertThatThrownBy(() -> SHIPPED.hop("v1.10.2", "v9.9.9"))
        .hasMessageContaining("does not know release v9.9.9")
        .satisfies(e -> assertThat(((KfbootException) e).fix()).contains("26.03"));
  }

  @Test
  @DisplayName("bad upgrade data names every problem with its line at once")
  void badData() {
    String yaml =
        """
        upgrades:
          - from: [v1.10.2]
            to: [v1.9.1, v7.0.0]
            steps:
              - deleteBeforeApply: {kind: ClusterRoleBinding}
                why: x
              - copyBucket: {bucket: b, credentials: {secret: nons, accessKey: a, secretKey: s},
                  from: {namespace: kubeflow, pods: app=minio, port: 99999},
                  to: {namespace: kubeflow, pods: app=seaweedfs, port: 8333}}
                why: y
                source: z
              - deleteBeforeApply: {kind: A, name: b}
                resetProfileObjects: []
                why: y
                source: z
              - delteBeforeApply: {kind: A, name: b}
        """;
    assertThatThrownBy(
            () ->
                UpgradeCatalog.load(
                    new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
                    "test.yaml",
                    Catalogs.shipped()))
        .isInstanceOf(UpgradeException.class)
        .hasMessageContaining("line 3: to: v7.0.0 is not a release kfboot knows")
        .hasMessageContaining("line 3: v1.9.1 is not newer than v1.10.2")
        .hasMessageContaining("line 5: name is missing")
        .hasMessageContaining("line 5: source is missing")
        .hasMessageContaining("credentials secret is NAMESPACE/NAME, not nons")
        .hasMessageContaining("port must be a whole number from 1 to 65535, not '99999'")
        .hasMessageContaining("line 12: a step is exactly one of")
        .hasMessageContaining(
            "line 16: unknown key 'delteBeforeApply' in a step; did you mean 'deleteBeforeApply'?");
  }
}
