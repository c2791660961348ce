package io.kfboot.components.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.catalog.CatalogException;
import io.kfboot.components.catalog.CatalogLoader;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.components.k3s.GatewayServiceType;
import io.kfboot.components.k3s.IstioCniK3sPaths;
import io.kfboot.components.k3s.K3sAdaptation;
import io.kfboot.manifests.ManifestsException.RemoteBasesException;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ManifestParser;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The catalogs against the real releases, rendered by a real kustomize. */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class PlannerFixtureTest {
  private static Kustomize kustomize;
  private static InstallPlan v1102;

  @BeforeAll
  static void planV1102() {
    kustomize = Fixtures.kustomize();
    v1102 =
        plan(
            Fixtures.tree(Fixtures.V1_10_2), List.of(), List.of(), List.of(new IstioCniK3sPaths()));
  }

  private static InstallPlan plan(
      ReleaseTree tree,
      List<String> components,
      List<String> without,
      List<K3sAdaptation> adaptations) {
    ReleaseCatalog catalog = Catalogs.shipped().require(tree.release());
    Renderer renderer = new Renderer(kustomize, 2, Duration.ofMinutes(3), Progress.SILENT);
    return new Planner(renderer, Progress.SILENT)
        .plan(
            new Planner.Request(tree, catalog, components, without, false, adaptations),
            kustomize.describe());
  }

  /** Renders a path the plain way, as a person would with kustomize, independent of Renderer. */
  private static List<K8sObject> kustomizeBuild(Path root, String path)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(kustomize.buildCommand(root.resolve(path)))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("kustomize build " + path).isZero();
    return ManifestParser.parse(yaml, path);
  }

  @Test
  @DisplayName("v1.10.2: each component has exactly the objects kustomize renders for its paths")
  void objectCountsMatchKustomize() throws Exception {
    Path root = v1102.tree().root();
    for (PlannedComponent c : v1102.components()) {
      int expected = 0;
      for (String path : c.spec().paths()) {
        expected += kustomizeBuild(root, path).size();
      }
      assertThat(c.objects()).as(c.id()).hasSize(expected);
    }
    assertThat(v1102.objectCount()).isEqualTo(611);
    assertThat(v1102.crdCount()).isEqualTo(71);
  }

  @Test
  @DisplayName("v1.10.2: every CRD is applied before its custom resources, and no CR lacks its CRD")
  void crdsPrecedeTheirResources() {
    assertThat(v1102.warnings()).isEmpty();
    Set<String> defined = new HashSet<>();
    int customResources = 0;
    for (PlannedComponent c : v1102.components()) {
      for (K8sObject o : c.objects()) {
        if (o.isCrd()) {
          defined.add(o.definedKind());
        } else if (!Scopes.isBuiltInGroup(o.group())) {
          customResources++;
          assertThat(defined).as(c.id() + ": " + o).contains(o.kindDotGroup());
        }
      }
    }
    assertThat(customResources).isGreaterThan(50);
  }

  @Test
  void wavesRespectDependsOn() {
    Map<String, Integer> wave =
        v1102.components().stream()
            .collect(Collectors.toMap(PlannedComponent::id, PlannedComponent::wave));
    for (PlannedComponent c : v1102.components()) {
      for (String dep : c.spec().dependsOn()) {
        assertThat(wave.get(dep)).as(c.id() + " after " + dep).isLessThan(c.wave());
      }
    }
    assertThat(v1102.components()).extracting(PlannedComponent::wave).isSorted();
    assertThat(wave.get("cert-manager")).isZero();
    assertThat(wave.get("user-namespace")).isGreaterThan(wave.get("profiles"));
  }

  @Test
  @DisplayName("the k3s adaptation points istio-cni-node at k3s' CNI folders and shows in the plan")
  void k3sAdaptationApplied() {
    PlannedComponent istio =
        v1102.components().stream()
            .filter(c -> c.id().equals("istio-install"))
            .findFirst()
            .orElseThrow();
    assertThat(istio.adaptations())
        .containsExactly("k3s-istio-cni-paths: DaemonSet kube-system/istio-cni-node");
    K8sObject ds =
        istio.objects().stream()
            .filter(o -> o.name().equals("istio-cni-node"))
            .findFirst()
            .orElseThrow();
    String yaml = new Yaml().dump(ds.body());
    assertThat(yaml)
        .contains("/var/lib/rancher/k3s/data/current/bin")
        .contains("/var/lib/rancher/k3s/agent/etc/cni/net.d")
        .doesNotContain("path: /opt/cni/bin");
  }

  @Test
  void gatewayServiceTypeOnlyWhenAsked() {
    InstallPlan plan =
        plan(
            Fixtures.tree(Fixtures.V1_10_2),
            List.of("istio-install"),
            List.of(),
            List.of(new GatewayServiceType("NodePort")));
    K8sObject svc =
        plan.components().stream()
            .flatMap(c -> c.objects().stream())
            .filter(o -> o.kind().equals("Service") && o.name().equals("istio-ingressgateway"))
            .findFirst()
            .orElseThrow();
    assertThat(((Map<?, ?>) svc.body().get("spec")).get("type")).isEqualTo("NodePort");
    K8sObject upstream =
        v1102.components().stream()
            .flatMap(c -> c.objects().stream())
            .filter(o -> o.kind().equals("Service") && o.name().equals("istio-ingressgateway"))
            .findFirst()
            .orElseThrow();
    assertThat(((Map<?, ?>) upstream.body().get("spec")).get("type")).isEqualTo("ClusterIP");
  }

  @Test
  @DisplayName(
      "26.03: every component without remote bases renders offline; those with them are refused by"
          + " name")
  void release2603Offline() {
    ReleaseTree tree = Fixtures.tree(Fixtures.V26_03);
    ReleaseCatalog catalog = Catalogs.shipped().require(tree.release());
    List<String> remote = List.of("pipelines", "trainer");
    List<String> offline =
        catalog.components().stream()
            .map(ComponentSpec::id)
            .filter(id -> !remote.contains(id))
            .toList();
    InstallPlan plan = plan(tree, offline, List.of(), List.of(new IstioCniK3sPaths()));
    assertThat(plan.components())
        .extracting(PlannedComponent::id)
        .containsExactlyInAnyOrderElementsOf(offline);
    assertThat(plan.warnings()).isEmpty();
    assertThatThrownBy(() -> plan(tree, List.of(), List.of(), List.of()))
        .isInstanceOf(RemoteBasesException.class)
        .hasMessageContaining("pipelines:")
        .hasMessageContaining("trainer:")
        .hasMessageContaining("argo-workflows")
        .satisfies(
            e ->
                assertThat(((RemoteBasesException) e).fix())
                    .contains("kfboot manifests vendor")
                    .contains("--without pipelines,trainer"));
  }

  @Test
  void catalogGateTargetsAreCheckedAgainstTheRender() {
    ReleaseTree tree = Fixtures.tree(Fixtures.V1_10_2);
    ReleaseCatalog shipped = Catalogs.shipped().require(tree.release());
    ComponentSpec dex = shipped.component("dex").orElseThrow();
    ComponentSpec broken =
        new ComponentSpec(
            dex.id(),
            dex.description(),
            dex.paths(),
            dex.namespaces(),
            List.of(),
            List.of(new Gate(Gate.Type.DEPLOYMENT_AVAILABLE, "auth/dexx", List.of())),
            false,
            true);
    ReleaseCatalog catalog =
        new ReleaseCatalog(
            shipped.release(),
            shipped.kustomizeMinVersion(),
            "example",
            List.of(broken),
            List.of());
    Renderer renderer = new Renderer(kustomize, 1, Duration.ofMinutes(1), Progress.SILENT);
    assertThatThrownBy(
            () ->
                new Planner(renderer, Progress.SILENT)
                    .plan(
                        new Planner.Request(tree, catalog, List.of(), List.of(), false, List.of()),
                        "k"))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining("auth/dexx");
  }

  @Test
  @DisplayName(
      "a component whose pods live in an Istio-injected namespace but that does not wait for the"
          + " injector is refused")
  void sidecarOrderIsChecked() throws Exception {
    String shipped;
    try (var in =
        Catalogs.class.getResourceAsStream("/io/kfboot/components/releases/v1.10.2.yaml")) {
      shipped = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    // the v1.10.2 catalog as it was before: pvcviewer-controller started without waiting for
    // istio-install
    String before =
        shipped.replace(
            "dependsOn: [istio-install, cert-manager, kubeflow-namespace]",
            "dependsOn: [cert-manager, kubeflow-namespace]");
    assertThat(before).isNotEqualTo(shipped);
    ReleaseCatalog catalog =
        CatalogLoader.load(
            new ByteArrayInputStream(before.getBytes(StandardCharsets.UTF_8)), "v1.10.2 (before)");
    Renderer renderer = new Renderer(kustomize, 2, Duration.ofMinutes(3), Progress.SILENT);
    ReleaseTree tree = v1102.tree();
    Assertions.assertThatThrownBy(
            () ->
                new Planner(renderer, Progress.SILENT)
                    .plan(
                        new Planner.Request(
                            tree,
                            catalog,
                            List.of("pvcviewer-controller", "istio-install"),
                            List.of(),
                            false,
                            List.of()),
                        kustomize.describe()))
        .isInstanceOf(CatalogException.class)
        .hasMessageContaining(
            "pvcviewer-controller (Deployment kubeflow/pvcviewer-controller-manager)")
        .hasMessageContaining("do not depend on 'istio-install'");
    // as shipped, it waits: its start follows istio-install's gates
    PlannedComponent pvc =
        v1102.components().stream()
            .filter(c -> c.id().equals("pvcviewer-controller"))
            .findFirst()
            .orElseThrow();
    assertThat(pvc.spec().dependsOn()).contains("istio-install");
  }
}
