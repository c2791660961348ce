package io.kfboot.components.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.catalog.CatalogException.UnknownComponentException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class CatalogLoaderTest {
  private static final String HEAD =
      "release: t\ncommit: " + "a".repeat(40) + "\nkustomizeMinVersion: 5.4.3\ncomponents:\n";

  private static ReleaseCatalog load(String yaml) {
    return CatalogLoader.load(
        new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
  }

  @TestFactory
  List<DynamicTest> everyShippedCatalogIsValidAndOrdered() {
    Catalogs catalogs = Catalogs.shipped();
    assertThat(catalogs.all())
        .extracting(r -> r.tag())
        .containsExactly(
            "v1.8.1", "v1.9.0", "v1.9.1", "v1.10.0", "v1.10.1", "v1.10.2", "v1.11.0", "26.03");
    return catalogs.catalogs().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.release().tag(),
                    () -> {
                      var selected = ComponentGraph.select(c, List.of(), List.of());
                      Map<String, Integer> waves = ComponentGraph.waves(selected);
                      for (ComponentSpec s : selected) {
                        for (String dep : s.dependsOn()) {
                          assertThat(waves.get(dep))
                              .as(s.id() + " after " + dep)
                              .isLessThan(waves.get(s.id()));
                        }
                      }
                      assertThat(selected)
                          .extracting(ComponentSpec::id)
                          .contains(
                              "cert-manager",
                              "istio-install",
                              "dex",
                              "pipelines",
                              "katib",
                              "kserve",
                              "profiles",
                              "user-namespace");
                      // The auth proxy: oauth2-proxy since v1.9, the OIDC AuthService before.
                      assertThat(selected)
                          .extracting(ComponentSpec::id)
                          .containsAnyOf("oauth2-proxy", "oidc-authservice");
                    }))
        .toList();
  }

  @Test
  void cycleIsNamed() {
    assertThatThrownBy(
            () ->
                load(
                    HEAD
                        + "- {id: a, paths: [x], dependsOn: [c]}\n"
                        + "- {id: b, paths: [x], dependsOn: [a]}\n"
                        + "- {id: c, paths: [x], dependsOn: [b]}\n"))
        .isInstanceOf(CatalogException.class)
        .hasMessageMatching("(?s).*cycle: (a -> c -> b -> a|b -> a -> c -> b|c -> b -> a -> c).*");
  }

  @Test
  void danglingAndSelfEdges() {
    assertThatThrownBy(() -> load(HEAD + "- {id: a, paths: [x], dependsOn: [ghost]}\n"))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("depends on 'ghost', which the catalog does not list");
    assertThatThrownBy(() -> load(HEAD + "- {id: a, paths: [x], dependsOn: [a]}\n"))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("depends on itself");
  }

  @Test
  void everyProblemIsNamedAtOnceWithItsLine() {
    assertThatThrownBy(
            () ->
                load(
                    HEAD
                        + "- {id: a, paths: [x], optional: maybe}\n"
                        + "- {id: b, paths: [x], gates: [{deployment-availble: ns/b}]}\n"
                        + "- {id: c, path: [x]}\n"))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("catalog test.yaml has 4 problems")
        .hasMessageContaining("line 5: optional must be true or false, not 'maybe'")
        .hasMessageContaining("line 6: component 'b': gate key 'deployment-availble'")
        .hasMessageContaining("did you mean 'deployment-available'?")
        .hasMessageContaining("line 7: unknown key 'path' in a component; did you mean 'paths'?")
        .hasMessageContaining("line 7: component 'c' has no paths");
  }

  @Test
  void malformedEntries() {
    assertThatThrownBy(() -> load(HEAD + "- {id: a, paths: [x], dependson: []}\n"))
        .hasMessageContaining("unknown key 'dependson'");
    assertThatThrownBy(() -> load(HEAD + "- {id: a, paths: [x]}\n- {id: a, paths: [y]}\n"))
        .hasMessageContaining("appears twice");
    assertThatThrownBy(() -> load(HEAD + "- {id: a, paths: [../x]}\n"))
        .hasMessageContaining("relative to the release root");
    assertThatThrownBy(
            () -> load(HEAD + "- {id: a, paths: [x], gates: [{deployment-ready: ns/x}]}\n"))
        .hasMessageContaining("not one gate type");
    assertThatThrownBy(
            () -> load(HEAD + "- {id: a, paths: [x], gates: [{deployment-available: x}]}\n"))
        .hasMessageContaining("is not namespace/name");
    assertThatThrownBy(() -> load(HEAD.replace("a".repeat(40), "abc") + "- {id: a, paths: [x]}\n"))
        .hasMessageContaining("40 lower-case hex");
    assertThatThrownBy(() -> load("release: [\n")).hasMessageContaining("not valid YAML");
  }

  @Test
  void gatesParse() {
    ReleaseCatalog c =
        load(
            HEAD
                + "- id: a\n  paths: [x]\n  gates:\n  - crds-established\n"
                + "  - deployment-available: kubeflow/mysql\n    before: [kubeflow/ml-pipeline]\n");
    assertThat(c.component("a").orElseThrow().gates())
        .containsExactly(
            new Gate(Gate.Type.CRDS_ESTABLISHED, "", List.of()),
            new Gate(
                Gate.Type.DEPLOYMENT_AVAILABLE, "kubeflow/mysql", List.of("kubeflow/ml-pipeline")));
  }

  @Test
  void selectionPullsDependenciesAndRefusesConflicts() {
    ReleaseCatalog c = Catalogs.shipped().catalog("v1.10.2").orElseThrow();
    assertThat(ComponentGraph.select(c, List.of("kubeflow-issuer"), List.of()))
        .extracting(ComponentSpec::id)
        .containsExactly("cert-manager", "kubeflow-issuer");
    assertThat(ComponentGraph.select(c, List.of(), List.of("spark-operator")))
        .extracting(ComponentSpec::id)
        .doesNotContain("spark-operator", "knative-eventing")
        .contains("pipelines");
    assertThatThrownBy(
            () -> ComponentGraph.select(c, List.of("pipelines"), List.of("istio-install")))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("'pipelines' needs 'istio-install'");
    assertThatThrownBy(() -> ComponentGraph.select(c, List.of("pipeline"), List.of()))
        .isInstanceOf(UnknownComponentException.class)
        .hasMessageContaining("did you mean 'pipelines'?");
  }

  @Test
  void wavesAreLongestPathLayers() {
    ReleaseCatalog c =
        load(
            HEAD
                + "- {id: a, paths: [x]}\n- {id: b, paths: [x], dependsOn: [a]}\n"
                + "- {id: c, paths: [x], dependsOn: [a, b]}\n- {id: d, paths: [x]}\n");
    assertThat(ComponentGraph.waves(c.components()))
        .containsExactly(
            Map.entry("a", 0), Map.entry("b", 1), Map.entry("c", 2), Map.entry("d", 0));
    assertThat(ComponentGraph.inWaves(c.components()))
        .extracting(w -> w.stream().map(ComponentSpec::id).toList())
        .containsExactly(List.of("a", "d"), List.of("b"), List.of("c"));
  }

  @Test
  void componentIdsFollowTheUpstreamList() {
    Set<String> upstream =
        Set.of(
            "cert-manager",
            "kubeflow-issuer",
            "istio-crds",
            "istio-namespace",
            "istio-install",
            "oauth2-proxy",
            "oidc-authservice",
            "dex",
            "knative-serving",
            "cluster-local-gateway",
            "knative-eventing",
            "kubeflow-namespace",
            "network-policies",
            "kubeflow-roles",
            "kubeflow-istio-resources",
            "pipelines",
            "kserve",
            "models-web-app",
            "katib",
            "centraldashboard",
            "admission-webhook",
            "notebook-controller",
            "jupyter-web-app",
            "pvcviewer-controller",
            "profiles",
            "volumes-web-app",
            "tensorboards-web-app",
            "tensorboard-controller",
            "training-operator",
            "trainer",
            "spark-operator",
            "user-namespace");
    for (ReleaseCatalog c : Catalogs.shipped().catalogs()) {
      assertThat(c.components()).extracting(ComponentSpec::id).allMatch(upstream::contains);
    }
  }
}
