package io.kfboot.components.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.OwnerLabel;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ObjectKey;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import io.kfboot.verify.testing.SimulatedCluster;
import io.kfboot.verify.wait.Condition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The engine against the simulated cluster, with the real v1.10.2 render. */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class InstallerTest {
  private static InstallPlan plan;

  /** The state an uninterrupted, fault-free install leaves. */
  private static Map<String, JsonNode> reference;

  private static final Map<String, Long> componentStarted = new ConcurrentHashMap<>();
  private static final List<String> rerunWrites = new CopyOnWriteArrayList<>();
  private static InstallReport firstReport;
  private static InstallReport rerunReport;
  private static List<SimulatedCluster.Write> writes;
  private static List<SimulatedCluster.Refusal> refusals;
  private static final Map<String, Long> readyAt = new HashMap<>();
  private static final AtomicInteger firstRunWaits = new AtomicInteger();
  private static int rerunClusterWrites;
  private static AppliedInventory inventoryAfterInstall;

  /** Where objects without a namespace go: the mock client's context namespace. */
  private static String clientNamespace;

  @BeforeAll
  static void installOnceThenRerun() {
    plan = SimulatedPlans.v1102();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      firstReport =
          SimulatedPlans.installer(
                  client,
                  new InstallListener() {
                    @Override
                    public void componentStarted(String component, Duration elapsed) {
                      componentStarted.put(component, System.nanoTime());
                    }

                    @Override
                    public void waitStarted(String component, Condition condition) {
                      firstRunWaits.incrementAndGet();
                    }
                  })
              .install(plan);
      writes = cluster.writes();
      refusals = cluster.refusals();
      inventoryAfterInstall = AppliedInventory.read(client).orElseThrow();
      clientNamespace = client.getNamespace();
      for (PlannedComponent c : plan.components()) {
        for (Gate g : c.gates()) {
          readyAt.put(gateKey(g), cluster.readyAt(gateKey(g)));
        }
        for (String crd : c.crds()) {
          readyAt.put(
              "CustomResourceDefinition " + crd,
              cluster.readyAt("CustomResourceDefinition " + crd));
        }
      }
      long changesBeforeRerun = changingWrites(cluster);
      rerunReport =
          SimulatedPlans.installer(
                  client,
                  new InstallListener() {
                    @Override
                    public void objectApplied(
                        String component, K8sObject object, ApplyOutcome outcome) {
                      if (outcome != ApplyOutcome.UNCHANGED) {
                        rerunWrites.add(object.key() + " " + outcome);
                      }
                    }
                  })
              .install(plan);
      rerunClusterWrites = (int) (changingWrites(cluster) - changesBeforeRerun);
      reference = SimulatedPlans.comparable(cluster.snapshot());
      assertThat(InstallState.read(client))
          .get()
          .satisfies(
              s -> {
                assertThat(s.phase()).isEqualTo("installed");
                assertThat(s.release()).isEqualTo("v1.10.2");
                assertThat(s.done())
                    .containsExactlyInAnyOrderElementsOf(
                        plan.components().stream().map(PlannedComponent::id).toList());
              });
    }
  }

  private static long changingWrites(SimulatedCluster cluster) {
    return cluster.writes().stream().filter(w -> !w.op().equals("UNCHANGED")).count();
  }

  private static String gateKey(Gate g) {
    return switch (g.type()) {
      case DEPLOYMENT_AVAILABLE -> "Deployment " + g.target();
      case STATEFULSET_READY -> "StatefulSet " + g.target();
      case DAEMONSET_READY -> "DaemonSet " + g.target();
      case SERVICE_ENDPOINTS -> "Service " + g.target();
      case CRDS_ESTABLISHED -> "crds";
    };
  }

  @Test
  @DisplayName("a first install creates every object, and the API server never had to refuse one")
  void installCreatesEverythingInOrder() {
    assertThat(firstReport.changes()).isEqualTo(plan.objectCount());
    assertThat(firstReport.components()).hasSize(plan.components().size());
    assertThat(refusals).as("writes refused for a missing CRD or an unready webhook").isEmpty();
    assertThat(reference.keySet().stream().filter(k -> !k.contains(" kube-system/kfboot-")).count())
        .isEqualTo(plan.objectCount());
  }

  @Test
  @DisplayName(
      "the inventory names every applied object under its component, and is written before any")
  void inventoryRecordsEveryObjectFirst() {
    assertThat(inventoryAfterInstall)
        .isEqualTo(AppliedInventory.empty().plus(plan, clientNamespace));
    assertThat(inventoryAfterInstall.size()).isEqualTo(plan.objectCount());
    int inventoryWrite = -1;
    int firstObject = -1;
    for (int i = 0; i < writes.size(); i++) {
      SimulatedCluster.Write w = writes.get(i);
      boolean record =
          w.plural().equals("configmaps")
              && InstallState.NAMESPACE.equals(w.namespace())
              && w.name().startsWith("kfboot-");
      if (record && w.name().equals(AppliedInventory.NAME) && inventoryWrite < 0) {
        inventoryWrite = i;
      }
      if (!record && !w.op().equals("UNCHANGED") && firstObject < 0) {
        firstObject = i;
      }
    }
    assertThat(inventoryWrite).isNotNegative().isLessThan(firstObject);
    assertThat(writes)
        .filteredOn(w -> w.name().equals(AppliedInventory.NAME))
        .as("one write of the inventory")
        .hasSize(1);
  }

  @Test
  @DisplayName("every object on the cluster that kfboot applied carries its component's label")
  void appliedObjectsCarryTheirComponent() {
    // live objects by group, kind, namespace and name; kustomize stamps a namespace on some
    // cluster-scoped objects, which the API server drops
    Map<String, JsonNode> live = new HashMap<>();
    for (JsonNode o : reference.values()) {
      String apiVersion = o.path("apiVersion").asText();
      String group =
          apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
      String name = o.path("metadata").path("name").asText();
      String ns = o.path("metadata").path("namespace").asText("");
      live.put(group + " " + o.path("kind").asText() + " " + ns + " " + name, o);
      live.putIfAbsent(group + " " + o.path("kind").asText() + " * " + name, o);
    }
    int checked = 0;
    for (var component : inventoryAfterInstall.components().entrySet()) {
      for (AppliedInventory.Entry e : component.getValue()) {
        ObjectKey k = e.key();
        JsonNode o = live.get(k.group() + " " + k.kind() + " " + k.namespace() + " " + k.name());
        if (o == null && k.namespace().isEmpty()) {
          o = live.get(k.group() + " " + k.kind() + " * " + k.name());
        }
        assertThat(o).as(e + " on the cluster").isNotNull();
        assertThat(o.path("metadata").path("labels").path(OwnerLabel.KEY).asText())
            .as(e.toString())
            .isEqualTo(component.getKey());
        checked++;
      }
    }
    assertThat(checked).isEqualTo(plan.objectCount());
  }

  @Test
  @DisplayName("every custom resource is written after its CRD is Established")
  void customResourcesAfterTheirCrds() {
    Map<String, String> crdOfPluralGroup = new HashMap<>();
    plan.components()
        .forEach(
            c ->
                c.objects().stream()
                    .filter(K8sObject::isCrd)
                    .forEach(crd -> crdOfPluralGroup.put(crd.name(), crd.name())));
    int checked = 0;
    for (SimulatedCluster.Write w : writes) {
      String crd = crdOfPluralGroup.get(w.plural() + "." + w.group());
      if (crd != null) {
        assertThat(readyAt.get("CustomResourceDefinition " + crd))
            .as(w.ref() + " after its CRD")
            .isNotNull()
            .isLessThan(w.nanos());
        checked++;
      }
    }
    assertThat(checked).as("custom resources in v1.10.2").isGreaterThan(20);
  }

  @Test
  @DisplayName("every component starts only after the gates of all it depends on held")
  void dependentsAfterGates() {
    Map<String, PlannedComponent> byId =
        plan.components().stream().collect(Collectors.toMap(PlannedComponent::id, c -> c));
    int checked = 0;
    for (PlannedComponent c : plan.components()) {
      for (String dep : c.spec().dependsOn()) {
        for (Gate g : byId.get(dep).gates()) {
          if (g.type() == Gate.Type.CRDS_ESTABLISHED) {
            for (String crd : byId.get(dep).crds()) {
              assertThat(readyAt.get("CustomResourceDefinition " + crd))
                  .isLessThan(componentStarted.get(c.id()));
            }
          } else {
            assertThat(readyAt.get(gateKey(g)))
                .as(c.id() + " after " + dep + "'s " + g.describe())
                .isNotNull()
                .isLessThan(componentStarted.get(c.id()));
          }
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(30);
  }

  @Test
  @DisplayName("a rerun on the installed cluster writes nothing and says so per component")
  void rerunChangesNothing() {
    assertThat(rerunWrites).isEmpty();
    // the record at most once (its last run), and no storage probe claim or pod made again
    assertThat(rerunClusterWrites)
        .as("writes the API server saw during the rerun")
        .isLessThanOrEqualTo(1);
    assertThat(rerunReport.changes()).isZero();
    assertThat(rerunReport.components())
        .hasSize(plan.components().size())
        .noneMatch(InstallReport.ComponentResult::changed);
  }

  /**
   * Kill points by operation count, never by time: the n-th object applied (of any outcome) or the
   * n-th wait begun. Every run applies every object and begins every CRD wait, whatever earlier
   * runs did, so each chosen point is reached in every run, however loaded the machine.
   */
  @Test
  @DisplayName(
      "killed at 24 deterministic points in a row, each rerun resumes, and the end state equals an"
          + " uninterrupted install")
  void killAndResume() {
    assertThat(firstRunWaits.get()).as("waits begun by one install").isGreaterThanOrEqualTo(50);
    List<int[]> points = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      points.add(new int[] {0, 1 + i * (plan.objectCount() - 1) / 15}); // the n-th apply
    }
    for (int j = 0; j < 8; j++) {
      points.add(new int[] {1, 1 + j * 6}); // the n-th wait
    }
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      List<String> reached = new ArrayList<>();
      for (int[] point : points) {
        boolean atWait = point[0] == 1;
        int n = point[1];
        AtomicInteger applies = new AtomicInteger();
        AtomicInteger waits = new AtomicInteger();
        InstallListener killer =
            new InstallListener() {
              @Override
              public void objectApplied(String component, K8sObject object, ApplyOutcome outcome) {
                if (!atWait && applies.incrementAndGet() == n) {
                  throw new Killed();
                }
              }

              @Override
              public void waitStarted(String component, Condition condition) {
                if (atWait && waits.incrementAndGet() == n) {
                  throw new Killed();
                }
              }
            };
        String name = (atWait ? "wait " : "apply ") + n;
        assertThatThrownBy(() -> SimulatedPlans.installer(client, killer).install(plan))
            .as("kill point " + name + " reached")
            .isInstanceOf(Killed.class);
        reached.add(name);
        assertThat(InstallState.read(client))
            .get()
            .extracting(InstallState::phase)
            .isEqualTo(Installer.PHASE_FAILED);
      }
      assertThat(reached).hasSize(24);
      InstallReport last = SimulatedPlans.installer(client, InstallListener.NONE).install(plan);
      assertThat(last.components()).hasSize(plan.components().size());
      assertSameState(SimulatedPlans.comparable(cluster.snapshot()));
      assertCreatedOnce(cluster);
    }
  }

  private static void assertSameState(Map<String, JsonNode> actual) {
    assertThat(actual.keySet()).containsExactlyElementsOf(reference.keySet());
    List<String> differ =
        reference.keySet().stream()
            .filter(k -> !reference.get(k).equals(actual.get(k)))
            .map(k -> k + "\n  want " + reference.get(k) + "\n  got  " + actual.get(k))
            .toList();
    assertThat(differ).as("objects whose content differs from an uninterrupted install").isEmpty();
  }

  @Test
  @DisplayName("429, 409, 5xx and dropped connections are survived, with no object created twice")
  void faultsAreSurvived() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster
          .faults()
          .fail("PATCH", "/customresourcedefinitions/certificates.cert-manager.io", 429, 2)
          .fail("PATCH", "/namespaces/kubeflow/deployments/ml-pipeline?", 503, 1)
          .fail("PATCH", "/clusterroles/kubeflow-admin", 500, 1)
          .fail("PATCH", "/namespaces/auth/configmaps/dex", 504, 1)
          .fail("GET", "/namespaces/istio-system/deployments/istiod", 503, 3)
          .fail("PATCH", "/namespaces/kubeflow/services/ml-pipeline?", 409, 1)
          .drop("PATCH", "/namespaces/kubeflow/deployments/mysql", 1)
          .drop("PATCH", "/customresourcedefinitions/notebooks.kubeflow.org", 1)
          .drop("PATCH", "/profiles/kubeflow-user-example-com", 1);
      List<String> retries = new CopyOnWriteArrayList<>();
      SimulatedPlans.installer(
              client,
              new InstallListener() {
                @Override
                public void retrying(
                    String what,
                    int attempt,
                    int attempts,
                    RuntimeException error,
                    Duration pause) {
                  retries.add(what + " attempt " + attempt + "/" + attempts);
                }
              })
          .install(plan);
      assertThat(cluster.faults().injected())
          .as(String.join("\n", cluster.faults().injected()))
          .hasSize(12);
      assertThat(retries).anyMatch(r -> r.contains("certificates.cert-manager.io attempt 2/6"));
      assertSameState(SimulatedPlans.comparable(cluster.snapshot()));
      assertCreatedOnce(cluster);
    }
  }

  @Test
  @DisplayName(
      "a write answered with malformed HTTP (two Content-Length values) is retried, not fatal")
  void aMalformedResponseIsRetried() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.faults().malformed("PATCH", "/namespaces/kubeflow/configmaps/", 2);
      List<String> retries = new CopyOnWriteArrayList<>();
      SimulatedPlans.installer(
              client,
              new InstallListener() {
                @Override
                public void retrying(
                    String what,
                    int attempt,
                    int attempts,
                    RuntimeException error,
                    Duration pause) {
                  retries.add(what + ": " + error.getMessage());
                }
              })
          .install(plan);
      assertThat(cluster.faults().injected()).hasSize(2);
      assertThat(retries).as("each malformed answer was retried").hasSizeGreaterThanOrEqualTo(2);
      assertSameState(SimulatedPlans.comparable(cluster.snapshot()));
    }
  }

  @Test
  @DisplayName(
      "faults at every 10th write (429, 500, 503, malformed, dropped): one run finishes, nothing"
          + " twice, sidecars in order")
  void faultsAtTenPercentOfWrites() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.faults().everyNth("PATCH", 10);
      SimulatedPlans.installer(client, InstallListener.NONE).install(plan);
      assertThat(cluster.faults().injected().size())
          .as("faults served")
          .isGreaterThan(plan.objectCount() / 12);
      assertSameState(SimulatedPlans.comparable(cluster.snapshot()));
      assertCreatedOnce(cluster);
      assertInjectorBeforeInjectedWorkloads(cluster);
    }
  }

  /**
   * Pods made before Istio's sidecar injector exists never get a sidecar: no workload in an
   * injected namespace (that does not opt out) may be written before the injector's webhook
   * configuration.
   */
  private static void assertInjectorBeforeInjectedWorkloads(SimulatedCluster cluster) {
    Set<String> injected =
        plan.components().stream()
            .flatMap(c -> c.objects().stream())
            .filter(o -> o.isNamespace() && "enabled".equals(o.labels().get("istio-injection")))
            .map(K8sObject::name)
            .collect(Collectors.toSet());
    assertThat(injected).contains("kubeflow");
    // workloads whose pod template opts out (sidecar.istio.io/inject: "false") get no sidecar
    // anyway
    Set<String> optedOut =
        plan.components().stream()
            .flatMap(c -> c.objects().stream())
            .filter(
                o -> String.valueOf(o.body().get("spec")).contains("sidecar.istio.io/inject=false"))
            .map(o -> o.namespace() + "/" + o.name())
            .collect(Collectors.toSet());
    List<SimulatedCluster.Write> writes = cluster.writes();
    long injectorAt =
        writes.stream()
            .filter(
                w ->
                    w.plural().equals("mutatingwebhookconfigurations")
                        && "istio-sidecar-injector".equals(w.name())
                        && w.op().equals("CREATE"))
            .mapToLong(SimulatedCluster.Write::nanos)
            .min()
            .orElseThrow();
    List<String> early =
        writes.stream()
            .filter(
                w ->
                    w.op().equals("CREATE")
                        && injected.contains(w.namespace())
                        && Set.of("deployments", "statefulsets", "daemonsets").contains(w.plural())
                        && w.nanos() < injectorAt
                        && !optedOut.contains(w.namespace() + "/" + w.name()))
            .map(SimulatedCluster.Write::ref)
            .toList();
    assertThat(early)
        .as("workloads of injected namespaces written before the sidecar injector")
        .isEmpty();
  }

  @Test
  @DisplayName("a gate that never holds times out with diagnostics naming the pod and its reason")
  void neverReadyGateFailsWithDiagnostics() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.neverReady("cert-manager/cert-manager-webhook");
      Installer.Options options = SimulatedPlans.fastOptions();
      Installer installer =
          SimulatedPlans.installer(
              client,
              InstallListener.NONE,
              new Installer.Options(
                  options.parallelism(),
                  Duration.ofMillis(800),
                  options.poll(),
                  options.retry(),
                  false));
      assertThatThrownBy(() -> installer.install(certManagerOnlyWaitingForItsWebhook()))
          .isInstanceOfSatisfying(
              InstallException.class,
              e -> {
                assertThat(e.stateProblem()).isTrue();
                // the webhook configuration waits for the webhook Service's endpoints, which never
                // come
                assertThat(e.getMessage())
                    .contains("component cert-manager")
                    .contains("cert-manager/cert-manager-webhook");
                assertThat(e.diagnostics())
                    .contains("pod cert-manager-webhook-5c8d7b9f4-x2x7q: Pending")
                    .contains("ImagePullBackOff")
                    .contains("event ");
                assertThat(e.fix()).contains("rerun");
              });
      assertThat(InstallState.read(client))
          .get()
          .extracting(InstallState::phase)
          .isEqualTo("failed");
      // nothing that depends on cert-manager was started: kubeflow-issuer's ClusterIssuer was never
      // sent
      assertThat(cluster.writes()).noneMatch(w -> w.plural().equals("clusterissuers"));
    }
  }

  /**
   * cert-manager and its dependent, with the webhook's own gate the only one left: on a loaded
   * machine any other wait (istio-crds' CRDs, cert-manager's other Deployments) could run out of
   * the short timeout first, and the failure would then name it instead.
   */
  private InstallPlan certManagerOnlyWaitingForItsWebhook() {
    List<PlannedComponent> kept =
        plan.components().stream()
            .filter(c -> c.id().equals("cert-manager") || c.id().equals("kubeflow-issuer"))
            .map(
                c ->
                    c.id().equals("cert-manager")
                        ? c.withSpec(
                            new ComponentSpec(
                                c.spec().id(),
                                c.spec().description(),
                                c.spec().paths(),
                                c.spec().namespaces(),
                                c.spec().dependsOn(),
                                c.gates().stream()
                                    .filter(
                                        g ->
                                            g.type() == Gate.Type.DEPLOYMENT_AVAILABLE
                                                && g.target()
                                                    .equals("cert-manager/cert-manager-webhook"))
                                    .toList(),
                                c.spec().optional(),
                                c.spec().defaultEnabled()))
                        : c)
            .toList();
    assertThat(kept).hasSize(2);
    assertThat(kept.get(0).gates()).hasSize(1);
    return new InstallPlan(plan.tree(), plan.kustomize(), kept, List.of());
  }

  @Test
  @DisplayName("a cluster holding another release is refused before anything is written")
  void otherReleaseRefused() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      client
          .configMaps()
          .inNamespace(InstallState.NAMESPACE)
          .resource(
              new InstallState(
                      "v1.9.1", "b".repeat(40), "v1.9.1", "installed", List.of("cert-manager"), "")
                  .toConfigMap())
          .create();
      int before = cluster.writes().size();
      assertThatThrownBy(() -> SimulatedPlans.installer(client, InstallListener.NONE).install(plan))
          .isInstanceOf(InstallException.class)
          .hasMessageContaining("holds kubeflow/manifests v1.9.1")
          .satisfies(e -> assertThat(((InstallException) e).fix()).contains("kfboot uninstall"));
      assertThat(cluster.writes()).hasSize(before);
    }
  }

  private static void assertCreatedOnce(SimulatedCluster cluster) {
    Map<String, Long> creates =
        cluster.writes().stream()
            .filter(w -> w.op().equals("CREATE"))
            .collect(Collectors.groupingBy(SimulatedCluster.Write::ref, Collectors.counting()));
    assertThat(
            creates.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(Map.Entry::getKey)
                .toList())
        .as("objects created twice")
        .isEmpty();
    assertThat(Set.copyOf(new ArrayList<>(creates.keySet())))
        .hasSizeGreaterThanOrEqualTo(plan.objectCount());
  }

  /** Stands for kill -9 at a chosen point. */
  private static final class Killed extends RuntimeException {
    Killed() {
      super("killed by the test");
    }
  }
}
