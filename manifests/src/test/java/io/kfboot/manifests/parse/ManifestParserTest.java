package io.kfboot.manifests.parse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.manifests.ManifestsException.ParseException;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.testing.Fixtures;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

class ManifestParserTest {

  @Test
  void readsObjectsInOrderAndSkipsEmptyDocuments() {
    List<K8sObject> objects =
        ManifestParser.parse(
            "---\n"
                + "apiVersion: v1\n"
                + "kind: Namespace\n"
                + "metadata:\n"
                + "  name: a\n"
                + "  labels: {x: 1}\n"
                + "---\n"
                + "---\n"
                + "apiVersion: apps/v1\n"
                + "kind: Deployment\n"
                + "metadata:\n"
                + "  name: d\n"
                + "  namespace: a\n",
            "test");
    assertThat(objects)
        .extracting(K8sObject::toString)
        .containsExactly("Namespace a", "Deployment a/d");
    assertThat(objects.get(0).labels()).containsEntry("x", "1");
    assertThat(objects.get(1).group()).isEqualTo("apps");
    assertThat(objects.get(1).version()).isEqualTo("v1");
  }

  @Test
  void refusesArbitraryTypes() {
    assertThatThrownBy(() -> ManifestParser.parse("!!java.io.File [\"/etc/passwd\"]\n", "evil"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("evil");
  }

  @Test
  void namesTheDocumentThatIsNotAnObject() {
    assertThatThrownBy(
            () ->
                ManifestParser.parse(
                    "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\n- just\n- a list\n", "src"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("document 2");
    assertThatThrownBy(() -> ManifestParser.parse("kind: A\nmetadata: {name: a}\n", "src"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("lacks apiVersion");
  }

  @Test
  void parsesTheLargestUpstreamCrds() {
    var tree = Fixtures.tree(Fixtures.V1_10_2);
    var rendered =
        new Renderer(Fixtures.kustomize(), 2, Duration.ofMinutes(3), Progress.SILENT)
            .renderAll(
                tree.root(),
                List.of(
                    "applications/kserve/kserve",
                    "applications/training-operator/upstream/overlays/kubeflow"));
    List<K8sObject> crds =
        rendered.values().stream()
            .flatMap(r -> r.objects().stream())
            .filter(K8sObject::isCrd)
            .sorted(Comparator.comparingInt(ManifestParserTest::size).reversed())
            .toList();
    assertThat(size(crds.get(0)))
        .as("largest CRD, in characters of its YAML")
        .isGreaterThan(256 * 1024);
    assertThat(crds)
        .extracting(K8sObject::definedKind)
        .contains("InferenceService.serving.kserve.io", "PyTorchJob.kubeflow.org");
    assertThat(
            new Scopes(crds)
                .isClusterScoped(
                    new K8sObject(
                        "serving.kserve.io/v1alpha1",
                        "ClusterServingRuntime",
                        null,
                        "x",
                        Map.of(),
                        Map.of())))
        .isTrue();
  }

  @Test
  void collectsImagesAndRequests() {
    K8sObject dep =
        ManifestParser.parse(
                "apiVersion: apps/v1\n"
                    + "kind: Deployment\n"
                    + "metadata: {name: d, namespace: n}\n"
                    + "spec:\n"
                    + "  replicas: 2\n"
                    + "  template:\n"
                    + "    spec:\n"
                    + "      initContainers:\n"
                    + "      - {name: i, image: 'busybox:1', resources: {requests: {cpu: '1',"
                    + " memory: 1Gi}}}\n"
                    + "      containers:\n"
                    + "      - {name: a, image: 'nginx:1.27', resources: {requests: {cpu: 100m,"
                    + " memory: 64Mi}}}\n"
                    + "      - {name: b, image: 'gcr.io/x/y@sha256:abc', resources: {requests:"
                    + " {cpu: 200m}}}\n",
                "t")
            .get(0);
    assertThat(ImageCollector.images(List.of(dep)))
        .containsExactly("busybox:1", "gcr.io/x/y@sha256:abc", "nginx:1.27");
    ResourceRequests r = ResourceRequests.of(dep);
    assertThat(r.cpuMillis()).as("max(init 1000m, 300m) x 2 replicas").isEqualTo(2000);
    assertThat(r.memoryMiB()).isEqualTo(2048);
  }

  private static int size(K8sObject o) {
    return new Yaml().dump(o.body()).length();
  }
}
