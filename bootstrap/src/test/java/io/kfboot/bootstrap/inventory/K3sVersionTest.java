package io.kfboot.bootstrap.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The k3s releases each feature kfboot relies on came with, at their boundaries. */
class K3sVersionTest {
  private static void boundary(Predicate<K3sVersion> feature, String... firstWithIt) {
    for (String v : firstWithIt) {
      K3sVersion with = K3sVersion.parse(v);
      assertThat(feature.test(with)).as(v).isTrue();
      if (with.patch() > 0) {
        K3sVersion before = new K3sVersion(1, with.minor(), with.patch() - 1, 1);
        assertThat(feature.test(before)).as(before.toString()).isFalse();
      }
    }
  }

  @Test
  void defaultRuntimeEmbeddedRegistryAndImportsWhileRunning() {
    boundary(K3sVersion::hasDefaultRuntime, "v1.29.0+k3s1", "v1.28.5+k3s1", "v1.26.12+k3s1");
    assertThat(K3sVersion.parse("v1.25.16+k3s4").hasDefaultRuntime()).isFalse();
    boundary(K3sVersion::hasEmbeddedRegistry, "v1.31.4+k3s1", "v1.30.8+k3s1", "v1.29.12+k3s1");
    assertThat(K3sVersion.parse("v1.32.0+k3s1").hasEmbeddedRegistry()).isTrue();
    assertThat(K3sVersion.parse("v1.28.15+k3s1").hasEmbeddedRegistry()).isFalse();
    boundary(
        K3sVersion::importsImagesWhileRunning, "v1.31.5+k3s1", "v1.30.9+k3s1", "v1.29.13+k3s1");
    assertThat(K3sVersion.parse("v1.32.0+k3s1").importsImagesWhileRunning()).isTrue();
    assertThat(K3sVersion.parse("v2.0.0+k3s1").importsImagesWhileRunning()).isTrue();
  }
}
