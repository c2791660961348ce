package io.kfboot.components.upgrade;

import static io.kfboot.manifests.parse.K8sObject.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.kfboot.components.upgrade.ImmutableFields.Conflict;
import io.kfboot.components.upgrade.ImmutableFields.Resolution;
import io.kfboot.manifests.parse.K8sObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ImmutableFieldsTest {

  private static K8sObject object(String apiVersion, String kind, Object... specAndMore) {
    Map<String, Object> body =
        map(
            "apiVersion",
            apiVersion,
            "kind",
            kind,
            "metadata",
            map("name", "x", "namespace", "kubeflow"));
    for (int i = 0; i < specAndMore.length; i += 2) {
      body.put((String) specAndMore[i], specAndMore[i + 1]);
    }
    return K8sObject.of(body);
  }

  private static List<Conflict> between(K8sObject a, K8sObject b) {
    return ImmutableFields.between(a, b);
  }

  @Test
  @DisplayName(
      "a Deployment's selector change is recreated; its template and replicas change in place")
  void deploymentSelector() {
    K8sObject v1 =
        object(
            "apps/v1",
            "Deployment",
            "spec",
            map("selector", map("matchLabels", map("app", "a")), "replicas", 1));
    K8sObject v2 =
        object(
            "apps/v1",
            "Deployment",
            "spec",
            map("selector", map("matchLabels", map("app", "a", "component", "b")), "replicas", 2));
    assertThat(between(v1, v2))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("spec.selector");
              assertThat(c.resolution()).isEqualTo(Resolution.RECREATE);
              assertThat(c.detail()).contains("component=b");
            });
    K8sObject scaled =
        object(
            "apps/v1",
            "Deployment",
            "spec",
            map("selector", map("matchLabels", map("app", "a")), "replicas", 3));
    assertThat(between(v1, scaled)).isEmpty();
  }

  @Test
  @DisplayName("the metacontroller binding's roleRef change (v1.9.1 -> v1.10) is recreated")
  void roleRef() {
    K8sObject old =
        object(
            "rbac.authorization.k8s.io/v1",
            "ClusterRoleBinding",
            "roleRef",
            map(
                "apiGroup",
                "rbac.authorization.k8s.io",
                "kind",
                "ClusterRole",
                "name",
                "cluster-admin"));
    K8sObject next =
        object(
            "rbac.authorization.k8s.io/v1",
            "ClusterRoleBinding",
            "roleRef",
            map(
                "apiGroup",
                "rbac.authorization.k8s.io",
                "kind",
                "ClusterRole",
                "name",
                "kubeflow-metacontroller"));
    assertThat(between(old, next))
        .extracting(Conflict::field, Conflict::resolution)
        .containsExactly(tuple("roleRef", Resolution.RECREATE));
  }

  @Test
  @DisplayName("a StatefulSet's serviceName and claim templates are immutable; its template is not")
  void statefulSet() {
    Map<String, Object> spec =
        map(
            "selector",
            map("matchLabels", map("app", "m")),
            "serviceName",
            "m",
            "template",
            map("x", 1));
    Map<String, Object> next = new LinkedHashMap<>(spec);
    next.put("serviceName", "m2");
    next.put("volumeClaimTemplates", List.of(map("metadata", map("name", "data"))));
    next.put("template", map("x", 2));
    assertThat(
            between(
                object("apps/v1", "StatefulSet", "spec", spec),
                object("apps/v1", "StatefulSet", "spec", next)))
        .extracting(Conflict::field)
        .containsExactly("spec.serviceName", "spec.volumeClaimTemplates");
  }

  @Test
  @DisplayName("a Job's template, a claim's spec beyond its size, immutable data: each found")
  void jobClaimAndImmutableData() {
    assertThat(
            between(
                object("batch/v1", "Job", "spec", map("template", map("image", "a"))),
                object("batch/v1", "Job", "spec", map("template", map("image", "b")))))
        .extracting(Conflict::field)
        .containsExactly("spec.template");
    Map<String, Object> claim =
        map(
            "accessModes",
            List.of("ReadWriteOnce"),
            "resources",
            map("requests", map("storage", "10Gi")));
    Map<String, Object> bigger =
        map(
            "accessModes",
            List.of("ReadWriteOnce"),
            "resources",
            map("requests", map("storage", "20Gi")));
    Map<String, Object> otherMode =
        map(
            "accessModes",
            List.of("ReadWriteMany"),
            "resources",
            map("requests", map("storage", "10Gi")));
    assertThat(
            between(
                object("v1", "PersistentVolumeClaim", "spec", claim),
                object("v1", "PersistentVolumeClaim", "spec", bigger)))
        .isEmpty();
    assertThat(
            between(
                object("v1", "PersistentVolumeClaim", "spec", claim),
                object("v1", "PersistentVolumeClaim", "spec", otherMode)))
        .extracting(Conflict::resolution)
        .containsExactly(Resolution.REFUSE);
    assertThat(
            between(
                object("v1", "ConfigMap", "immutable", true, "data", map("a", "1")),
                object("v1", "ConfigMap", "immutable", true, "data", map("a", "2"))))
        .extracting(Conflict::field)
        .containsExactly("data");
    assertThat(
            between(
                object("v1", "ConfigMap", "data", map("a", "1")),
                object("v1", "ConfigMap", "data", map("a", "2"))))
        .isEmpty();
  }

  @Test
  @DisplayName(
      "a CRD that drops its stored version (domainmappings, v1.8.1 -> v1.9.1) needs a migration; a"
          + " storage switch between versions both kept does not")
  void crdStoredVersions() {
    K8sObject old =
        crd(
            map("name", "v1alpha1", "served", true, "storage", true),
            map("name", "v1beta1", "served", true, "storage", false));
    K8sObject dropped = crd(map("name", "v1beta1", "served", true, "storage", true));
    K8sObject switched =
        crd(
            map("name", "v1alpha1", "served", true, "storage", false),
            map("name", "v1beta1", "served", true, "storage", true));
    assertThat(between(old, dropped))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.field()).isEqualTo("spec.versions[v1alpha1]");
              assertThat(c.resolution()).isEqualTo(Resolution.MIGRATE_STORED_VERSION);
            });
    assertThat(between(old, switched)).isEmpty();
  }

  private static K8sObject crd(Object... versions) {
    return K8sObject.of(
        map(
            "apiVersion",
            "apiextensions.k8s.io/v1",
            "kind",
            "CustomResourceDefinition",
            "metadata",
            map("name", "domainmappings.serving.knative.dev"),
            "spec",
            map(
                "group",
                "serving.knative.dev",
                "scope",
                "Namespaced",
                "versions",
                List.of(versions))));
  }
}
