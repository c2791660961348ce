package io.kfboot.manifests.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectTemplateTest {
  @Test
  @SuppressWarnings("unchecked")
  void patchesSetWhatVariesOnCopiesAndAPlaceholderLeftIsRefused() {
    ObjectTemplate t = ObjectTemplate.load(ObjectTemplateTest.class, "template-test.yaml");
    K8sObject a = t.object("ConfigMap", "settings").data("config.yaml", "a: 1\n").done();
    K8sObject b = t.object("ConfigMap", "settings").data("config.yaml", "b: 2\n").done();
    assertThat((Map<String, Object>) a.body().get("data"))
        .containsEntry("config.yaml", "a: 1\n")
        .containsEntry("fixed", "1");
    assertThat((Map<String, Object>) b.body().get("data")).containsEntry("config.yaml", "b: 2\n");
    assertThat(a.namespace()).isEqualTo("demo");
    assertThatThrownBy(() -> t.object("ConfigMap", "settings").done())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PATCHED was not set");
    assertThatThrownBy(() -> t.object("Secret", "settings"))
        .hasMessageContaining("has no Secret settings");
  }
}
