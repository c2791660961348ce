package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.ImageInventory;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The v1.10.2 plan's images against mirror configurations an air-gapped site might write. */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class ImagesMirrorCheckTest {
  static ImageInventory images;

  @BeforeAll
  static void plan() {
    images = ImageInventory.of(SimulatedPlans.v1102());
  }

  private static Inventory.Registries registries(String yaml) {
    return InventoryLoader.parse(
            "cluster: lab\nk3s: {token: {env: K3S_TOKEN}}\n"
                + yaml
                + "hosts: [{name: box, address: 10.0.0.1, role: server}]\n",
            "inventory.yaml",
            Path.of("."))
        .registries();
  }

  static final String ALL_BUT_QUAY =
      """
      registries:
        disableDefaultEndpoint: true
        mirrors:
          docker.io: [https://harbor.lab.example]
          gcr.io: [https://harbor.lab.example]
          ghcr.io: [https://harbor.lab.example]
          nvcr.io: [https://harbor.lab.example]
          public.ecr.aws: [https://harbor.lab.example]
          registry.k8s.io: [https://harbor.lab.example]
      """;

  @Test
  void aMirrorConfigThatMissesOneRegistryIsCaught() {
    Images.MirrorCheck check = Images.checkMirrors(images, registries(ALL_BUT_QUAY));
    assertThat(check.notCovered()).containsOnlyKeys("quay.io");
    assertThat(check.notCovered().get("quay.io"))
        .extracting(e -> e.ref().image())
        .contains(
            "quay.io/argoproj/argoexec:v3.5.14", "quay.io/jetstack/cert-manager-webhook:v1.16.1");
    assertThat(check.registries().get("ghcr.io")).containsExactly("https://harbor.lab.example");
    assertThat(check.passed()).isFalse();
    assertThatThrownBy(() -> Images.requirePassed(check))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("no mirror for quay.io")
        .satisfies(
            e ->
                assertThat(((KfbootException) e).category()).isEqualTo(ExitCategory.INVALID_INPUT));
  }

  @Test
  void aWildcardCoversTheRestAndWithTheDefaultEndpointOnAGapIsOnlyReported() {
    Images.MirrorCheck wildcard =
        Images.checkMirrors(
            images, registries(ALL_BUT_QUAY + "    \"*\": [https://harbor.lab.example]\n"));
    assertThat(wildcard.notCovered()).isEmpty();
    assertThat(wildcard.passed()).isTrue();

    Images.MirrorCheck fallback =
        Images.checkMirrors(
            images, registries(ALL_BUT_QUAY.replace("disableDefaultEndpoint: true", "")));
    assertThat(fallback.notCovered()).containsOnlyKeys("quay.io");
    assertThat(fallback.passed()).as("quay.io is pulled from quay.io itself").isTrue();
  }
}
