package io.kfboot.components.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.install.ApplyOutcome;
import io.kfboot.components.install.InstallListener;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.install.Uninstaller;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ObjectKey;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import io.kfboot.verify.wait.Condition;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Upgrades of a kfboot install on the simulated cluster, user data in place, real renders. */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
public class UpgraderTest {
  private static final String PROFILE_NS = "team-a";

  private static Upgrader.Request request(KubernetesClient client, String from, String to) {
    InstallPlan old = SimulatedPlans.of(from);
    InstallPlan next = SimulatedPlans.of(to);
    AppliedInventory inventory =
        AppliedInventory.read(client)
            .orElseGet(() -> AppliedInventory.empty().plus(old, client.getNamespace()));
    ReleaseDiff diff = ReleaseDiff.between(old, inventory, next, client.getNamespace());
    Map<String, Integer> crds = ClusterFacts.crdObjects(client, diff);
    return new Upgrader.Request(
        UpgradeCatalog.shipped(Catalogs.shipped()).hop(from, to),
        old.tree().origin(),
        InstallState.read(client).orElseThrow().done(),
        old,
        next,
        inventory,
        diff,
        crds.entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .map(Map.Entry::getKey)
            .collect(Collectors.toSet()),
        ClusterFacts.profileNamespaces(client));
  }

  /** What a team made: a profile namespace with a claim, pipeline settings, and a PyTorchJob. */
  private static void userData(KubernetesClient client) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(PROFILE_NS)
                .addToLabels(ClusterFacts.PROFILE_LABEL, "kubeflow-profile")
                .addToLabels("istio-injection", "enabled")
                .endMetadata()
                .build())
        .create();
    client
        .persistentVolumeClaims()
        .inNamespace(PROFILE_NS)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName("workspace-notebook")
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
    for (String kind : List.of("ConfigMap kfp-launcher", "Secret mlpipeline-minio-artifact")) {
      String[] k = kind.split(" ");
      client
          .resource(
              Serialization.unmarshal(
                  "{\"apiVersion\":\"v1\",\"kind\":\""
                      + k[0]
                      + "\",\"metadata\":{\"name\":\""
                      + k[1]
                      + "\",\"namespace\":\""
                      + PROFILE_NS
                      + "\"}}",
                  GenericKubernetesResource.class))
          .create();
    }
    client
        .genericKubernetesResources("kubeflow.org/v1", "PyTorchJob")
        .inNamespace(PROFILE_NS)
        .resource(
            Serialization.unmarshal(
                "{\"apiVersion\":\"kubeflow.org/v1\",\"kind\":\"PyTorchJob\","
                    + "\"metadata\":{\"name\":\"mnist\",\"namespace\":\""
                    + PROFILE_NS
                    + "\"},\"spec\":{}}",
                GenericKubernetesResource.class))
        .create();
  }

  /** The Deployment controller's part: a running pod of each object store. */
  private static void storePods(KubernetesClient client, String... apps) {
    for (String app : apps) {
      client
          .pods()
          .inNamespace("kubeflow")
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName(app + "-0")
                  .withNamespace("kubeflow")
                  .addToLabels("app", app)
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName(app)
                  .withImage(app)
                  .endContainer()
                  .endSpec()
                  .build())
          .create();
    }
  }

  /** The cluster's objects by group, kind, namespace (none for cluster-scoped kinds) and name. */
  private static Set<ObjectKey> liveKeys(SimulatedCluster cluster) {
    Set<ObjectKey> out = new HashSet<>();
    for (JsonNode o : cluster.snapshot().values()) {
      String apiVersion = o.path("apiVersion").asText();
      String group =
          apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
      String kind = o.path("kind").asText();
      String name = o.path("metadata").path("name").asText();
      out.add(new ObjectKey(group, kind, o.path("metadata").path("namespace").asText(""), name));
      // kustomize stamps a namespace on some cluster-scoped objects; the inventory has none
      out.add(new ObjectKey(group, kind, "", name));
    }
    return out;
  }

  @Test
  @DisplayName(
      "v1.10.2 -> 26.03: MinIO's bucket copied with both stores' pods and keys, profile objects"
          + " reset, MinIO pruned but its claim kept, PyTorchJobs' CRD kept for its job, the unused"
          + " training CRDs pruned, no kept kind deleted; a rerun writes nothing; an uninstall then"
          + " removes what kfboot applied under both releases and none of the team's objects")
  void minioToSeaweedfs() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      SimulatedPlans.installer(client, InstallListener.NONE).install(SimulatedPlans.of("v1.10.2"));
      userData(client);
      storePods(client, "minio", "seaweedfs");
      List<BucketCopier.Job> copies = new CopyOnWriteArrayList<>();
      BucketCopier copier =
          job -> {
            copies.add(job);
            return new BucketCopier.Report(3, 42, 3);
          };
      Upgrader.Request r = request(client, "v1.10.2", "26.03");
      int before = cluster.writes().size();

      Upgrader.Report report =
          new Upgrader(
                  client,
                  SimulatedPlans.fastOptions(),
                  InstallListener.NONE,
                  new ClusterDiagnostics(client),
                  copier)
              .upgrade(r);

      assertThat(copies)
          .singleElement()
          .satisfies(
              j -> {
                assertThat(j.bucket()).isEqualTo("mlpipeline");
                assertThat(j.fromPod()).isEqualTo("minio-0");
                assertThat(j.fromPort()).isEqualTo(9000);
                assertThat(j.toPod()).isEqualTo("seaweedfs-0");
                assertThat(j.toPort()).isEqualTo(8333);
                assertThat(j.accessKey()).isEqualTo("minio");
                assertThat(j.secretKey()).isEqualTo("minio123");
                assertThat(j.toString()).doesNotContain("minio123");
              });
      assertThat(report.reset())
          .containsExactlyInAnyOrder(
              "ConfigMap " + PROFILE_NS + "/kfp-launcher",
              "Secret " + PROFILE_NS + "/mlpipeline-minio-artifact");
      Set<ObjectKey> liveKeys = liveKeys(cluster);
      Scopes scopes =
          new Scopes(r.to().components().stream().flatMap(c -> c.objects().stream()).toList());
      for (K8sObject o : r.to().components().stream().flatMap(c -> c.objects().stream()).toList()) {
        assertThat(liveKeys)
            .as("26.03's " + o.key() + " on the cluster")
            .contains(AppliedInventory.Entry.of(o, scopes, client.getNamespace()).key());
      }
      assertThat(liveKeys)
          .contains(
              new ObjectKey("", "PersistentVolumeClaim", "kubeflow", "minio-pvc"),
              new ObjectKey(
                  "apiextensions.k8s.io",
                  "CustomResourceDefinition",
                  "",
                  "pytorchjobs.kubeflow.org"),
              new ObjectKey("kubeflow.org", "PyTorchJob", PROFILE_NS, "mnist"),
              new ObjectKey("", "PersistentVolumeClaim", PROFILE_NS, "workspace-notebook"))
          .doesNotContain(
              new ObjectKey("apps", "Deployment", "kubeflow", "minio"),
              new ObjectKey(
                  "apiextensions.k8s.io", "CustomResourceDefinition", "", "tfjobs.kubeflow.org"),
              new ObjectKey("", "ConfigMap", PROFILE_NS, "kfp-launcher"));
      assertThat(report.pruned())
          .contains("Deployment kubeflow/minio", "CustomResourceDefinition tfjobs.kubeflow.org");
      assertThat(report.kept())
          .anyMatch(k -> k.startsWith("PersistentVolumeClaim kubeflow/minio-pvc"))
          .anyMatch(k -> k.startsWith("CustomResourceDefinition pytorchjobs.kubeflow.org"));
      // the audit: no delete of a kind kept for its data
      assertThat(cluster.writes().subList(before, cluster.writes().size()))
          .filteredOn(w -> w.op().equals("DELETE"))
          .noneMatch(
              w -> Set.of("namespaces", "persistentvolumeclaims", "profiles").contains(w.plural()))
          .noneMatch(
              w ->
                  w.plural().equals("customresourcedefinitions")
                      && w.name().equals("pytorchjobs.kubeflow.org"));
      assertThat(InstallState.read(client))
          .get()
          .satisfies(
              s -> {
                assertThat(s.release()).isEqualTo("26.03");
                assertThat(s.phase()).isEqualTo("installed");
              });
      assertThat(UpgradeState.read(client)).isEmpty();
      AppliedInventory after = AppliedInventory.read(client).orElseThrow();
      assertThat(after.covers(AppliedInventory.empty().plus(r.to(), client.getNamespace())))
          .isTrue();
      assertThat(after.components().values().stream().flatMap(Set::stream).map(Object::toString))
          .contains(
              "PersistentVolumeClaim kubeflow/minio-pvc",
              "CustomResourceDefinition pytorchjobs.kubeflow.org")
          .doesNotContain(
              "Deployment kubeflow/minio", "CustomResourceDefinition tfjobs.kubeflow.org");

      int settled = cluster.writes().size();
      Upgrader.Report again =
          new Upgrader(
                  client,
                  SimulatedPlans.fastOptions(),
                  InstallListener.NONE,
                  new ClusterDiagnostics(client),
                  copier)
              .upgrade(r);
      assertThat(again.install()).isNull();
      assertThat(cluster.writes().subList(settled, cluster.writes().size()))
          .filteredOn(w -> !w.op().equals("UNCHANGED"))
          .isEmpty();

      // an uninstall afterwards removes what kfboot applied under either release, and only that
      int beforeUninstall = cluster.writes().size();
      new Uninstaller(
              client,
              SimulatedPlans.fastOptions(),
              InstallListener.NONE,
              new ClusterDiagnostics(client))
          .uninstall(r.to(), Set.of(), false);
      Set<ObjectKey> left = liveKeys(cluster);
      assertThat(left)
          .doesNotContain(
              new ObjectKey("", "PersistentVolumeClaim", "kubeflow", "minio-pvc"),
              new ObjectKey("apps", "Deployment", "kubeflow", "seaweedfs"),
              new ObjectKey(
                  "apiextensions.k8s.io",
                  "CustomResourceDefinition",
                  "",
                  "pytorchjobs.kubeflow.org"))
          .contains(
              new ObjectKey("", "Namespace", "", PROFILE_NS),
              new ObjectKey("", "PersistentVolumeClaim", PROFILE_NS, "workspace-notebook"));
      assertThat(AppliedInventory.read(client)).isEmpty();
      assertThat(cluster.writes().subList(beforeUninstall, cluster.writes().size()))
          .filteredOn(w -> w.op().equals("DELETE"))
          .noneMatch(w -> PROFILE_NS.equals(w.namespace()) || PROFILE_NS.equals(w.name()));
    }
  }

  @Test
  @DisplayName(
      "v1.10.1 -> v1.10.2 with a Deployment whose selector changes: only that object is deleted"
          + " before the apply and made again; the API server never had to refuse a change")
  void selectorChangeIsRecreated() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      SimulatedPlans.installer(client, InstallListener.NONE).install(SimulatedPlans.of("v1.10.1"));
      Upgrader.Request plain = request(client, "v1.10.1", "v1.10.2");
      InstallPlan changed = withSelector(plain.to(), "kubeflow", "centraldashboard", "tier", "ui");
      ReleaseDiff diff =
          ReleaseDiff.between(plain.from(), plain.inventory(), changed, client.getNamespace());
      assertThat(diff.conflicts())
          .singleElement()
          .satisfies(
              f ->
                  assertThat(f.key().toString()).isEqualTo("Deployment kubeflow/centraldashboard"));
      Upgrader.Request r =
          new Upgrader.Request(
              plain.hop(),
              plain.fromSource(),
              plain.fromComponents(),
              plain.from(),
              changed,
              plain.inventory(),
              diff,
              plain.crdsInUse(),
              plain.profileNamespaces());
      int before = cluster.writes().size();

      Upgrader.Report report =
          new Upgrader(
                  client,
                  SimulatedPlans.fastOptions(),
                  InstallListener.NONE,
                  new ClusterDiagnostics(client),
                  BucketCopier.NONE)
              .upgrade(r);

      assertThat(report.deletedFirst()).containsExactly("Deployment kubeflow/centraldashboard");
      assertThat(cluster.refusals()).noneMatch(x -> x.reason().startsWith("immutable"));
      assertThat(
              client
                  .apps()
                  .deployments()
                  .inNamespace("kubeflow")
                  .withName("centraldashboard")
                  .get())
          .satisfies(
              d ->
                  assertThat(d.getSpec().getSelector().getMatchLabels())
                      .containsEntry("tier", "ui"));
      // pruned: the one ConfigMap v1.10.2 renames
      assertThat(report.pruned())
          .containsExactly("ConfigMap kubeflow/namespace-labels-data-4df5t8mdgf");
      assertThat(cluster.writes().subList(before, cluster.writes().size()))
          .filteredOn(w -> w.op().equals("DELETE") && !w.plural().equals("configmaps"))
          .extracting(SimulatedCluster.Write::ref)
          .containsExactly("deployments.apps kubeflow/centraldashboard");
    }
  }

  private static final class Killed extends RuntimeException {
    Killed(String at) {
      super("killed at " + at);
    }
  }

  /** A kill point: the n-th event of a kind within one run. */
  private record Point(String kind, int n) {
    @Override
    public String toString() {
      return kind + " #" + n;
    }
  }

  @Test
  @DisplayName(
      "v1.10.2 -> 26.03 killed at 20 deterministic points (applies, waits, the copy, resets,"
          + " prunes), each rerun going on: the end state equals an uninterrupted upgrade's")
  void killedAndRerunConverges() {
    List<Point> points = new ArrayList<>();
    for (int n : List.of(1, 90, 180, 270, 360, 450, 540, 630)) {
      points.add(new Point("apply", n));
    }
    for (int n : List.of(1, 15, 30, 45)) {
      points.add(new Point("wait", n));
    }
    points.add(new Point("copy", 1));
    points.add(new Point(Upgrader.STEP_RESET, 1));
    points.add(new Point(Upgrader.STEP_RESET, 1));
    for (int i = 0; i < 5; i++) {
      points.add(new Point(Upgrader.STEP_PRUNE, 3));
    }
    Map<String, JsonNode> uninterrupted;
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      Upgrader.Request r = prepared(client);
      upgrader(client, InstallListener.NONE, job -> new BucketCopier.Report(1, 1, 1)).upgrade(r);
      uninterrupted = SimulatedPlans.comparable(cluster.snapshot());
    }
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      Upgrader.Request r = prepared(client);
      List<String> reached = new ArrayList<>();
      for (Point p : points) {
        Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        InstallListener killer =
            new InstallListener() {
              @Override
              public void objectApplied(String component, K8sObject o, ApplyOutcome outcome) {
                hit("apply");
              }

              @Override
              public void waitStarted(String component, Condition condition) {
                hit("wait");
              }

              @Override
              public void objectDeleted(String why, K8sObject o) {
                hit(why);
              }

              private void hit(String kind) {
                if (kind.equals(p.kind())
                    && seen.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet()
                        == p.n()) {
                  throw new Killed(p.toString());
                }
              }
            };
        BucketCopier copier =
            job -> {
              if (p.kind().equals("copy")) {
                throw new Killed(p.toString());
              }
              return new BucketCopier.Report(1, 1, 1);
            };
        assertThatThrownBy(() -> upgrader(client, killer, copier).upgrade(r))
            .as("kill point " + p + " reached")
            .isInstanceOf(Killed.class);
        reached.add(p.toString());
      }
      assertThat(reached).hasSize(20);
      upgrader(client, InstallListener.NONE, job -> new BucketCopier.Report(1, 1, 1)).upgrade(r);
      assertThat(SimulatedPlans.comparable(cluster.snapshot())).isEqualTo(uninterrupted);
    }
  }

  /** v1.10.2 installed, a team's data and the stores' pods in place: the upgrade's request. */
  private static Upgrader.Request prepared(KubernetesClient client) {
    SimulatedPlans.installer(client, InstallListener.NONE).install(SimulatedPlans.of("v1.10.2"));
    return prepareData(client);
  }

  /** On a cluster holding v1.10.2: a team's data, the stores' pods, the upgrade's request. */
  public static Upgrader.Request prepareData(KubernetesClient client) {
    userData(client);
    storePods(client, "minio", "seaweedfs");
    return request(client, "v1.10.2", "26.03");
  }

  private static Upgrader upgrader(
      KubernetesClient client, InstallListener listener, BucketCopier copier) {
    return new Upgrader(
        client, SimulatedPlans.fastOptions(), listener, new ClusterDiagnostics(client), copier);
  }

  /** The plan with one Deployment's selector (and its pod labels, as they must match) extended. */
  @SuppressWarnings("unchecked")
  private static InstallPlan withSelector(
      InstallPlan plan, String namespace, String name, String key, String value) {
    return new InstallPlan(
        plan.tree(),
        plan.kustomize(),
        plan.components().stream()
            .map(
                c ->
                    c.withObjects(
                        c.objects().stream()
                            .map(
                                o -> {
                                  if (!o.kind().equals("Deployment")
                                      || !name.equals(o.name())
                                      || !namespace.equals(o.namespace())) {
                                    return o;
                                  }
                                  Map<String, Object> body =
                                      Serialization.unmarshal(
                                          Serialization.asJson(o.body()), Map.class);
                                  Map<String, Object> spec = (Map<String, Object>) body.get("spec");
                                  ((Map<String, Object>)
                                          ((Map<String, Object>) spec.get("selector"))
                                              .get("matchLabels"))
                                      .put(key, value);
                                  ((Map<String, Object>)
                                          ((Map<String, Object>)
                                                  ((Map<String, Object>) spec.get("template"))
                                                      .get("metadata"))
                                              .get("labels"))
                                      .put(key, value);
                                  return K8sObject.of(body);
                                })
                            .toList()))
            .toList(),
        plan.warnings());
  }
}
