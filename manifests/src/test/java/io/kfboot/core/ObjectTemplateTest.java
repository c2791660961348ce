package io.kfboot.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectTemplateTest {
  @Test
  @SuppressWarnings("unchecked")
  void patchesSetWhatVariesOnCopiesAndAPlaceholderLeftIsRefused() {
    ObjectTemplate t = ObjectTemplate.load(ObjectTemplateTest.class, "template-test.yaml");
    Map<String, Object> a = t.object("ConfigMap", "settings").data("config.yaml", "a: 1\n").done();
    Map<String, Object> b = t.object("ConfigMap", "settings").data("config.yaml", "b: 2\n").done();
    assertThat((Map<String, Object>) a.get("data"))
        .containsEntry("config.yaml", "a: 1\n")
        .containsEntry("fixed", "1");
    assertThat((Map<String, Object>) b.get("data")).containsEntry("config.yaml", "b: 2\n");
    assertThat(String.valueOf(a.get("metadata"))).contains("namespace=demo");
    assertThatThrownBy(() -> t.object("ConfigMap", "settings").done())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("PATCHED was not set");
    assertThatThrownBy(() -> t.object("Secret", "settings"))
        .hasMessageContaining("has no Secret settings");
  }

  @Test
  void everyObjectInOrderFinishedByKindAndAMissingTargetIsNamed() {
    ObjectTemplate t = ObjectTemplate.load(ObjectTemplateTest.class, "template-test.yaml");
    var objects =
        t.objects(
            o ->
                switch (o.kind()) {
                  case "ConfigMap" -> o.data("config.yaml", "x");
                  case "Deployment" ->
                      o.image("main", "nginx:1.27")
                          .env("main", "SERVER", "10.0.0.1")
                          .nfsVolume("share", "10.0.0.1", "/srv")
                          .name("server-2");
                  default -> o;
                });
    assertThat(objects).extracting(o -> o.get("kind")).containsExactly("ConfigMap", "Deployment");
    assertThat(String.valueOf(objects.get(1).get("metadata"))).contains("name=server-2");
    assertThat(String.valueOf(objects.get(1)))
        .contains("image=nginx:1.27")
        .contains("value=10.0.0.1")
        .contains("nfs={server=10.0.0.1, path=/srv}");
    assertThatThrownBy(() -> t.object("Deployment", "server").env("main", "CLIENT", "x"))
        .hasMessageContaining("container main has no CLIENT");
    assertThatThrownBy(() -> t.object("Deployment", "server").nfsVolume("data", "a", "b"))
        .hasMessageContaining("has no volume data");
    assertThatThrownBy(() -> t.object("Deployment", "server").image("sidecar", "x"))
        .hasMessageContaining("has no container sidecar");
  }
}
