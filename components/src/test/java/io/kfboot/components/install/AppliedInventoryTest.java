package io.kfboot.components.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ObjectKey;
import io.kfboot.manifests.parse.ResourceRequests;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AppliedInventoryTest {

  private static K8sObject object(String apiVersion, String kind, String namespace, String name) {
    Map<String, Object> meta =
        namespace == null
            ? K8sObject.map("name", name)
            : K8sObject.map("name", name, "namespace", namespace);
    return K8sObject.of(K8sObject.map("apiVersion", apiVersion, "kind", kind, "metadata", meta));
  }

  private static PlannedComponent component(String id, K8sObject... objects) {
    return new PlannedComponent(
        new ComponentSpec(id, id, List.of(), List.of(), List.of(), List.of(), false, true),
        0,
        List.of(objects),
        List.of(),
        new TreeSet<>(),
        new TreeSet<>(),
        ResourceRequests.ZERO,
        List.of());
  }

  private static InstallPlan plan(PlannedComponent... components) {
    return new InstallPlan(null, "none", List.of(components), List.of());
  }

  private static final InstallPlan PLAN =
      plan(
          component(
              "pipelines",
              object("apps/v1", "Deployment", "kubeflow", "ml-pipeline"),
              object("v1", "PersistentVolumeClaim", "kubeflow", "minio-pvc"),
              // kustomize's namespace transformer stamps some cluster-scoped kinds
              object("rbac.authorization.k8s.io/v1", "ClusterRole", "kubeflow", "ml-pipeline")),
          component("cert-manager", object("v1", "Namespace", null, "cert-manager")));

  @Test
  @DisplayName("a plan's inventory keys every object once, cluster-scoped ones without namespace")
  void ofPlan() {
    AppliedInventory inventory = AppliedInventory.of(PLAN);
    assertThat(inventory.size()).isEqualTo(4);
    assertThat(inventory.components()).containsOnlyKeys("pipelines", "cert-manager");
    assertThat(inventory.of("pipelines"))
        .extracting(AppliedInventory.Entry::key)
        .contains(
            new ObjectKey("rbac.authorization.k8s.io", "ClusterRole", "", "ml-pipeline"),
            new ObjectKey("apps", "Deployment", "kubeflow", "ml-pipeline"));
    assertThat(inventory.plus(PLAN, "default")).isEqualTo(inventory);
    assertThat(inventory.covers(inventory.plus(PLAN, "default"))).isTrue();
  }

  @Test
  @DisplayName("the ConfigMap holds one line per object and reads back as the same inventory")
  void configMapRoundTrip() {
    AppliedInventory inventory = AppliedInventory.of(PLAN);
    var cm = inventory.toConfigMap();
    assertThat(cm.getMetadata().getName()).isEqualTo("kfboot-inventory");
    assertThat(cm.getMetadata().getNamespace()).isEqualTo("kube-system");
    assertThat(cm.getData().get("cert-manager")).isEqualTo("v1 Namespace - cert-manager\n");
    assertThat(cm.getData().get("pipelines").lines())
        .containsExactly(
            "v1 PersistentVolumeClaim kubeflow minio-pvc",
            "apps/v1 Deployment kubeflow ml-pipeline",
            "rbac.authorization.k8s.io/v1 ClusterRole - ml-pipeline");
    assertThat(AppliedInventory.fromConfigMap(cm)).isEqualTo(inventory);
  }

  @Test
  @DisplayName("a newer release's objects are added to a component; pruned ones are taken out")
  void plusAndMinus() {
    AppliedInventory old = AppliedInventory.of(PLAN);
    InstallPlan next =
        plan(
            component(
                "pipelines",
                object("apps/v1", "Deployment", "kubeflow", "ml-pipeline"),
                object("apps/v1", "Deployment", "kubeflow", "seaweedfs")));
    AppliedInventory both = old.plus(next, "default");
    assertThat(both.of("pipelines")).hasSize(4);
    assertThat(old.covers(both)).isFalse();
    assertThat(both.covers(old)).isTrue();
    AppliedInventory pruned =
        both.minus(
            "pipelines",
            List.of(new ObjectKey("rbac.authorization.k8s.io", "ClusterRole", "", "ml-pipeline")));
    assertThat(pruned.of("pipelines")).hasSize(3);
    assertThat(
            pruned
                .minus("cert-manager", List.of(new ObjectKey("", "Namespace", "", "cert-manager")))
                .components())
        .doesNotContainKey("cert-manager");
    assertThat(pruned.without("pipelines").components()).containsOnlyKeys("cert-manager");
  }

  @Test
  @DisplayName("a namespaced object without a namespace is recorded where it is applied")
  void namespacedWithoutNamespace() {
    InstallPlan userNamespace =
        plan(
            component("user-namespace", object("v1", "ConfigMap", null, "default-install-config")));
    assertThat(AppliedInventory.empty().plus(userNamespace, "team-a").of("user-namespace"))
        .extracting(AppliedInventory.Entry::key)
        .containsExactly(new ObjectKey("", "ConfigMap", "team-a", "default-install-config"));
  }

  @Test
  @DisplayName("an entry becomes the least object that addresses it")
  void entryToObject() {
    AppliedInventory.Entry crd =
        new AppliedInventory.Entry(
            "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "pytorchjobs.kubeflow.org");
    K8sObject o = crd.toObject();
    assertThat(o.namespace()).isNull();
    assertThat(o.key()).isEqualTo(crd.key());
    assertThat(o.body())
        .isEqualTo(
            Map.of(
                "apiVersion", "apiextensions.k8s.io/v1",
                "kind", "CustomResourceDefinition",
                "metadata", Map.of("name", "pytorchjobs.kubeflow.org")));
    K8sObject pvc =
        new AppliedInventory.Entry("v1", "PersistentVolumeClaim", "kubeflow", "x").toObject();
    assertThat(pvc.namespace()).isEqualTo("kubeflow");
  }

  @Test
  @DisplayName("a line that is not four fields is refused, naming it")
  void badLine() {
    assertThatThrownBy(() -> AppliedInventory.Entry.parse("v1 ConfigMap kubeflow"))
        .hasMessageContaining("not an inventory line: v1 ConfigMap kubeflow");
  }
}
