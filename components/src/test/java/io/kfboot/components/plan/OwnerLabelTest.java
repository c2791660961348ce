package io.kfboot.components.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class OwnerLabelTest {

  @Test
  @DisplayName(
      "the owner label reaches metadata.labels of every v1.10.2 object and nothing else: no"
          + " selector, no pod template, no other field")
  void onlyMetadataLabelsChange() {
    InstallPlan plan = SimulatedPlans.v1102();
    int workloads = 0;
    for (PlannedComponent c : plan.components()) {
      for (K8sObject o : c.objects()) {
        Map<String, Object> labelled = OwnerLabel.apply(o.body(), c.id());
        assertThat(labelled).as(o.toString()).containsOnlyKeys(o.body().keySet());
        for (String field : o.body().keySet()) {
          if (!field.equals("metadata")) {
            assertThat(labelled.get(field)).as(o + " " + field).isEqualTo(o.body().get(field));
          }
        }
        Map<?, ?> meta = (Map<?, ?>) labelled.get("metadata");
        Map<String, Object> metaWithoutLabels = new LinkedHashMap<>();
        meta.forEach((k, v) -> metaWithoutLabels.put(String.valueOf(k), v));
        Map<?, ?> labels = (Map<?, ?>) metaWithoutLabels.remove("labels");
        Map<String, Object> before = new LinkedHashMap<>();
        ((Map<?, ?>) o.body().get("metadata")).forEach((k, v) -> before.put(String.valueOf(k), v));
        before.remove("labels");
        assertThat(metaWithoutLabels).as(o.toString()).isEqualTo(before);
        Map<String, Object> expected = new LinkedHashMap<>(o.labels());
        expected.put(OwnerLabel.KEY, c.id());
        assertThat(labels).as(o.toString()).isEqualTo(expected);
        if (o.body().get("spec") instanceof Map<?, ?> spec && spec.containsKey("template")) {
          workloads++;
          assertThat(((Map<?, ?>) labelled.get("spec")).get("selector"))
              .isEqualTo(spec.get("selector"));
          assertThat(((Map<?, ?>) labelled.get("spec")).get("template"))
              .isEqualTo(spec.get("template"));
        }
      }
    }
    // a guard against a plan that lost its workloads: v1.10.2 has 49 with a pod template
    assertThat(workloads).isGreaterThan(40);
  }

  @Test
  @DisplayName("the rendered object is left as it was: the label goes on a copy")
  void theRenderIsNotChanged() {
    Map<String, Object> body =
        K8sObject.map(
            "apiVersion",
            "v1",
            "kind",
            "ConfigMap",
            "metadata",
            K8sObject.map("name", "x", "labels", K8sObject.map("app", "y")));
    Map<String, Object> labelled = OwnerLabel.apply(body, "pipelines");
    assertThat(((Map<?, ?>) labelled.get("metadata")).get("labels"))
        .isEqualTo(Map.of("app", "y", OwnerLabel.KEY, "pipelines"));
    assertThat(((Map<?, ?>) body.get("metadata")).get("labels")).isEqualTo(Map.of("app", "y"));
    assertThat(OwnerLabel.apply(K8sObject.map("kind", "Namespace"), "x").get("metadata"))
        .isEqualTo(Map.of("labels", Map.of(OwnerLabel.KEY, "x")));
  }
}
