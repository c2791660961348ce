package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.NodeSystemInfoBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.RecordingHostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.k3s.Datastore;
import io.kfboot.bootstrap.k3s.K3sUpgrade;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import io.kfboot.core.KfbootException;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import io.kfboot.verify.wait.Waiter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upgrades and node changes with recording hosts and the simulated cluster: the eviction API
 * refusing what a budget protects, claims pinned to a node, the Node and its k3s password Secret
 * removed, and kubelet versions as the API reports them.
 */
class ClusterLifecycleTest {
  static final String FROM = "v1.32.4+k3s1";
  static final String TO = "v1.33.1+k3s1";

  @TempDir Path tmp;
  SimulatedCluster cluster;
  KubernetesClient client;
  final Map<String, FakeLinuxHost> hosts = new LinkedHashMap<>();
  final List<String> progress = new CopyOnWriteArrayList<>();
  Hosts hostsApi;

  @BeforeEach
  void start() {
    cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
    client = cluster.newClient();
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private ClusterLifecycle lifecycle(String hostsYaml) throws Exception {
    Path inv =
        Files.writeString(
            tmp.resolve("inventory.yaml"),
            "cluster: lab\nk3s: {version: "
                + FROM
                + ", token: {env: K3S_TOKEN}}\nhosts:\n"
                + hostsYaml);
    SettingsInput in = new SettingsInput();
    in.inventory = inv;
    in.kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), cluster.kubeconfig());
    in.pollInterval = Duration.ofMillis(10);
    in.timeout = Duration.ofSeconds(20);
    in.quiet = true;
    Map<String, String> env = new HashMap<>(Map.of("HOME", tmp.toString(), "K3S_TOKEN", "K10tok"));
    env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
    PlatformSettings settings = PlatformSettings.resolve(in, env);
    PlatformListener listener =
        new PlatformListener() {
          @Override
          public void report(String line) {
            progress.add(line);
          }

          @Override
          public void warning(String message) {
            progress.add("warning: " + message);
          }
        };
    Inventory inventory = settings.requireInventory();
    for (Inventory.Host h : inventory.hosts()) {
      FakeLinuxHost f = new FakeLinuxHost(h.name());
      f.k3sVersion = FROM;
      f.runningVersion = FROM;
      f.serviceActive = true;
      // the API learns what the kubelet runs when k3s restarts
      f.onStart = () -> kubelet(h.name(), f.runningVersion);
      hosts.put(h.name(), f);
      cluster.node(h.name(), Map.of("kubernetes.io/hostname", h.name()), Map.of());
      kubelet(h.name(), FROM);
      nodePassword(h.name());
    }
    FakeLinuxHost first = hosts.get(inventory.servers().get(0).name());
    first.operator.on("/etcd ]; then echo etcd", 0, "sqlite\n");
    first.operator.on("command -v sqlite3", 0, "/usr/bin/sqlite3\n");
    first.operator.on(
        c -> c.shellLine().contains("sqlite3 " + Datastore.DB + "/state.db"),
        c -> {
          String copy = c.argv().get(c.argv().size() - 1).substring(".backup ".length());
          first.operator.file(copy, "SQLite format 3");
          return new ExecResult(0, "", "", Duration.ZERO);
        });
    first.operator.file(Datastore.SERVER_TOKEN, "K10tok::server:hush\n");
    Hosts h = new Hosts(settings, listener, host -> hosts.get(host.name()).operator);
    hostsApi = h;
    return new ClusterLifecycle(settings, listener, h, cluster::newClient);
  }

  /** The Secret k3s keeps for each node it registered. */
  private void nodePassword(String node) {
    client
        .secrets()
        .inNamespace("kube-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(node + ".node-password.k3s")
                .withNamespace("kube-system")
                .endMetadata()
                .addToStringData("hash", "$1:x")
                .build())
        .createOr(NonDeletingOperation::update);
  }

  private boolean unschedulable(String node) {
    var spec = client.nodes().withName(node).get().getSpec();
    return spec != null && Boolean.TRUE.equals(spec.getUnschedulable());
  }

  private void kubelet(String node, String version) {
    client
        .nodes()
        .withName(node)
        .edit(
            n -> {
              n.getStatus()
                  .setNodeInfo(new NodeSystemInfoBuilder().withKubeletVersion(version).build());
              return n;
            });
  }

  static final String THREE =
      """
        - {name: server-1, address: 10.0.0.11, role: server, user: root}
        - {name: agent-1, address: 10.0.0.21, role: agent, user: root}
        - {name: agent-2, address: 10.0.0.22, role: agent, user: root}
      """;

  /** A running pod of a ReplicaSet on {@code node}. */
  private void pod(String ns, String name, String node, Map<String, String> labels) {
    client
        .pods()
        .inNamespace(ns)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .withLabels(labels)
                .addNewOwnerReference()
                .withApiVersion("apps/v1")
                .withKind("ReplicaSet")
                .withName(name + "-rs")
                .withUid("u-" + name)
                .endOwnerReference()
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .addNewContainer()
                .withName("c")
                .withImage("busybox")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPhase("Running")
                .endStatus()
                .build())
        .create();
  }

  /** Knative's budget of v1.10 and v1.11: 80% of one replica must stay, so none may go. */
  private void knativeActivatorBudget() {
    client
        .policy()
        .v1()
        .podDisruptionBudget()
        .inNamespace("knative-serving")
        .resource(
            new PodDisruptionBudgetBuilder()
                .withNewMetadata()
                .withName("activator-pdb")
                .withNamespace("knative-serving")
                .endMetadata()
                .withNewSpec()
                .withMinAvailable(new IntOrString("80%"))
                .withNewSelector()
                .addToMatchLabels("app", "activator")
                .endSelector()
                .endSpec()
                .build())
        .create();
  }

  private K3sUpgrade.Outcome upgrade(ClusterLifecycle l, boolean plan) {
    return l.upgradeK3s(
        new ClusterLifecycle.UpgradeRequest(
            TO, 2, Duration.ofSeconds(10), Duration.ofSeconds(10), false, null),
        plan);
  }

  @Test
  void anUpgradeDrainsThroughTheEvictionApiAndEndsWithEveryKubeletAtTheTarget() throws Exception {
    ClusterLifecycle l = lifecycle(THREE);
    pod("kubeflow", "ml-pipeline-1", "agent-1", Map.of("app", "ml-pipeline"));
    pod("kubeflow", "katib-ui-1", "server-1", Map.of("app", "katib-ui"));

    K3sUpgrade.Outcome out = upgrade(l, false);

    assertThat(out.upgraded().get(0)).isEqualTo("server-1");
    assertThat(out.upgraded()).containsExactlyInAnyOrder("server-1", "agent-1", "agent-2");
    for (String n : List.of("server-1", "agent-1", "agent-2")) {
      assertThat(client.nodes().withName(n).get().getStatus().getNodeInfo().getKubeletVersion())
          .isEqualTo(TO);
      assertThat(unschedulable(n)).as(n + " uncordoned").isFalse();
    }
    assertThat(cluster.writes())
        .filteredOn(w -> w.op().equals("EVICT"))
        .extracting(SimulatedCluster.Write::name)
        .containsExactlyInAnyOrder("ml-pipeline-1", "katib-ui-1");
    assertThat(out.snapshot().kind()).isEqualTo(Datastore.Kind.SQLITE);
    assertThat(Files.readString(out.snapshot().file())).isEqualTo("SQLite format 3");
    assertThat(out.snapshot().file().toString()).startsWith(tmp.resolve("state").toString());
    assertThat(progress).anyMatch(p -> p.startsWith("datastore saved to "));
  }

  @Test
  void aKnativeBudgetThatAllowsNoDisruptionRefusesTheUpgradeBeforeAnyChange() throws Exception {
    ClusterLifecycle l = lifecycle(THREE);
    knativeActivatorBudget();
    pod("knative-serving", "activator-1", "agent-2", Map.of("app", "activator"));

    K3sUpgrade.Outcome planned = upgrade(l, true);
    assertThat(progress)
        .anyMatch(
            p ->
                p.contains(
                    "agent-2: PodDisruptionBudget knative-serving/activator-pdb (minAvailable"
                        + " 80%)"));
    assertThat(planned.plan().pending()).hasSize(3);

    assertThatThrownBy(() -> upgrade(l, false))
        .isInstanceOfSatisfying(
            KfbootException.class,
            e -> {
              assertThat(e.getMessage()).contains("activator-pdb").contains("activator-1");
              assertThat(e.fix()).contains("delete pdb activator-pdb");
            });
    hosts.values().forEach(h -> assertThat(h.installedAt).isEmpty());
    assertThat(unschedulable("agent-2")).isFalse();
  }

  @Test
  void theEvictionApiKeepsAProtectedPodWhenADrainIsForcedOnAndTheWaitNamesIt() throws Exception {
    lifecycle(THREE);
    knativeActivatorBudget();
    pod("knative-serving", "activator-1", "agent-2", Map.of("app", "activator"));
    pod("kubeflow", "free-1", "agent-2", Map.of("app", "free"));
    ClusterNodes nodes =
        new ClusterNodes(
            client,
            new Waiter(Duration.ofMillis(10), new ClusterDiagnostics(client), (c, r, e) -> {}),
            "test");

    assertThatThrownBy(() -> nodes.drain("agent-2", Duration.ofMillis(300)))
        .isInstanceOf(VerifyException.class)
        .hasMessageContaining("knative-serving/activator-1");
    assertThat(client.pods().inNamespace("knative-serving").withName("activator-1").get())
        .isNotNull();
    assertThat(client.pods().inNamespace("kubeflow").withName("free-1").get()).isNull();
    assertThat(cluster.refusals())
        .anyMatch(r -> r.reason().equals("pdb") && r.name().equals("activator-1"));
  }

  /** A local-path volume on {@code node}, bound to ns/claim. */
  private void localPathVolume(String pv, String ns, String claim, String node) {
    client
        .persistentVolumes()
        .resource(
            new PersistentVolumeBuilder()
                .withNewMetadata()
                .withName(pv)
                .endMetadata()
                .withNewSpec()
                .addToCapacity("storage", new Quantity("20Gi"))
                .withNewHostPath()
                .withPath("/var/lib/rancher/k3s/storage/" + pv + "_" + ns + "_" + claim)
                .endHostPath()
                .withNewClaimRef()
                .withNamespace(ns)
                .withName(claim)
                .endClaimRef()
                .withNewNodeAffinity()
                .withNewRequired()
                .addNewNodeSelectorTerm()
                .addNewMatchExpression()
                .withKey("kubernetes.io/hostname")
                .withOperator("In")
                .withValues(node)
                .endMatchExpression()
                .endNodeSelectorTerm()
                .endRequired()
                .endNodeAffinity()
                .endSpec()
                .build())
        .create();
  }

  @Test
  void removingANodeWithLocalPathVolumesIsRefusedUnlessDataLossIsAccepted() throws Exception {
    ClusterLifecycle l = lifecycle(THREE);
    localPathVolume("pvc-1234", "kubeflow", "mysql-pv-claim", "agent-1");

    assertThatThrownBy(() -> l.remove("agent-1", false, false))
        .isInstanceOfSatisfying(
            KfbootException.class,
            e -> {
              assertThat(e.getMessage()).contains("kubeflow/mysql-pv-claim (pvc-1234)");
              assertThat(e.fix()).contains("--accept-data-loss");
            });
    assertThat(client.nodes().withName("agent-1").get()).isNotNull();
    assertThat(hosts.get("agent-1").operator.commandLines())
        .noneMatch(c -> c.contains("uninstall"));

    ClusterLifecycle.Removal r = l.remove("agent-1", true, false);

    assertThat(r.claims()).containsExactly("kubeflow/mysql-pv-claim (pvc-1234)");
    assertThat(r.reset()).isTrue();
    assertThat(hosts.get("agent-1").operator.commandLines())
        .anyMatch(c -> c.contains("/usr/local/bin/k3s-agent-uninstall.sh"));
  }

  @Test
  void aRemovedNodeTakesItsK3sPasswordSecretWithIt() throws Exception {
    ClusterLifecycle l = lifecycle(THREE);
    hosts.get("agent-2").operator.file("/usr/local/bin/k3s-agent-uninstall.sh", "#!/bin/sh\n");
    pod("kubeflow", "ml-pipeline-1", "agent-2", Map.of("app", "ml-pipeline"));

    ClusterLifecycle.Removal plan = l.remove("agent-2", false, true);
    assertThat(plan.planned()).isTrue();
    assertThat(client.nodes().withName("agent-2").get()).isNotNull();

    ClusterLifecycle.Removal r = l.remove("agent-2", false, false);

    assertThat(client.nodes().withName("agent-2").get()).isNull();
    assertThat(
            client.secrets().inNamespace("kube-system").withName("agent-2.node-password.k3s").get())
        .isNull();
    assertThat(
            client.secrets().inNamespace("kube-system").withName("agent-1.node-password.k3s").get())
        .isNotNull();
    assertThat(client.pods().inNamespace("kubeflow").withName("ml-pipeline-1").get())
        .as("evicted before the node went")
        .isNull();
    assertThat(hosts.get("agent-2").k3sVersion).as("k3s uninstalled on the host").isNull();
    assertThat(r.notes()).anyMatch(n -> n.contains("remove agent-2 from"));
    assertThat(l.strayNodesIfRunning().nodes()).isEmpty();
  }

  @Test
  void serversAreRemovedOnlyWhereEtcdKeepsAnOddCountAndTheClusterItsJoinPoint() throws Exception {
    String five =
        """
          - {name: server-1, address: 10.0.0.11, role: server, user: root}
          - {name: server-2, address: 10.0.0.12, role: server, user: root}
          - {name: server-3, address: 10.0.0.13, role: server, user: root}
          - {name: agent-1, address: 10.0.0.21, role: agent, user: root}
        """;
    ClusterLifecycle l = lifecycle(five);
    assertThatThrownBy(() -> l.remove("server-3", false, false))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("leaves 2 etcd members");
    assertThat(client.nodes().withName("server-3").get()).isNotNull();

    ClusterLifecycle one = lifecycle(THREE);
    assertThatThrownBy(() -> one.remove("server-1", true, false))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("only server");
    hosts
        .values()
        .forEach(
            h -> assertThat(h.operator.commandLines()).noneMatch(c -> c.contains("uninstall")));
  }

  @Test
  void anAddedHostIsPreparedJoinsAndIsLookedAtThroughTheApi() throws Exception {
    ClusterLifecycle l =
        lifecycle(
            THREE
                + "  - {name: agent-3, address: 10.0.0.23, role: agent, user: root, labels:"
                + " {pool: big}}\n");
    FakeLinuxHost fresh = hosts.get("agent-3");
    fresh.k3sVersion = null;
    fresh.runningVersion = null;
    fresh.serviceActive = false;
    client.nodes().withName("agent-3").delete();
    hosts.get("server-1").nodes = FakeLinuxHost.readyWhereRunning(hosts);
    fresh.onStart =
        () -> {
          cluster.node("agent-3", Map.of("pool", "big"), Map.of());
          kubelet("agent-3", fresh.runningVersion);
        };
    client
        .storage()
        .v1()
        .storageClasses()
        .resource(
            new StorageClassBuilder()
                .withNewMetadata()
                .withName("local-path")
                .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true")
                .endMetadata()
                .withProvisioner("rancher.io/local-path")
                .build())
        .create();

    ClusterLifecycle.Added planned = l.add(List.of("agent-3"), true);
    assertThat(planned.steps())
        .filteredOn(r -> r.host().equals("agent-3"))
        .anyMatch(r -> r.step().equals("k3s") && r.status().name().equals("WOULD_CHANGE"));
    assertThat(fresh.k3sVersion).isNull();

    ClusterLifecycle.Added added = l.add(List.of("agent-3"), false);

    assertThat(fresh.k3sVersion).isEqualTo(FROM);
    assertThat(new String(fresh.operator.files().get("/etc/rancher/k3s/config.yaml")))
        .contains("server: https://10.0.0.11:6443")
        .contains("pool=big");
    assertThat(added.checks())
        .contains("agent-3: Ready, kubelet " + FROM, "exactly one default StorageClass");
    assertThat(hosts.get("agent-1").operator.commandLines())
        .as("the other agents are not touched")
        .isEmpty();
    assertThat(hosts.get("server-1").installedAt).as("the first server only looked at").isEmpty();
    assertThatThrownBy(() -> l.add(List.of("agent-9"), false))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("agent-9 is not in the inventory");
  }

  @Test
  void aNodeLeftOutOfTheInventoryIsNamedAndCanBeRemovedFromTheClusterAlone() throws Exception {
    ClusterLifecycle l = lifecycle(THREE);
    cluster.node("old-gpu-1", Map.of(), Map.of());
    assertThat(l.strayNodesIfRunning().nodes()).containsExactly("old-gpu-1");

    ClusterLifecycle.Removal r = l.remove("old-gpu-1", false, false);

    assertThat(r.reset()).isFalse();
    assertThat(r.notes()).anyMatch(n -> n.contains("k3s-agent-uninstall.sh"));
    assertThat(client.nodes().withName("old-gpu-1").get()).isNull();
    assertThat(new ArrayList<>(l.strayNodesIfRunning().nodes())).isEmpty();
  }

  @Test
  void upTakesOutTheNodesOfHostsThatLeftTheInventoryAndLeavesOthersAlone() throws Exception {
    ClusterLifecycle l = lifecycle(THREE);
    Waiter waiter =
        new Waiter(Duration.ofMillis(10), new ClusterDiagnostics(client), (c, r, e) -> {});
    hosts.get("server-1").nodes = FakeLinuxHost.readyWhereRunning(hosts);
    // an earlier up joined old-agent; manual-1 was joined by hand
    cluster.node("old-agent", Map.of(), Map.of());
    cluster.node("manual-1", Map.of(), Map.of());
    nodePassword("old-agent");
    new ClusterNodes(client, waiter, "test")
        .recordJoined("lab", List.of("server-1", "agent-1", "agent-2", "old-agent"));
    localPathVolume("pvc-9", "kubeflow-user", "workspace", "old-agent");
    // what hosts plan prints: up takes out only the node it joined
    ClusterLifecycle.Strays strays = l.strayNodesIfRunning();
    assertThat(strays.nodes()).containsExactly("manual-1", "old-agent");
    assertThat(strays.departed()).containsExactly("old-agent");
    // its claim stops up before any host or the cluster changes
    assertThatThrownBy(l::up)
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("kubeflow-user/workspace (pvc-9)");
    assertThat(hosts.values())
        .allSatisfy(
            h ->
                assertThat(h.operator.actions())
                    .noneMatch(a -> a instanceof RecordingHostOperator.Wrote));
    assertThat(client.nodes().withName("old-agent").get()).isNotNull();

    client.persistentVolumes().withName("pvc-9").delete();
    l.up();

    assertThat(client.nodes().withName("old-agent").get()).isNull();
    assertThat(
            client
                .secrets()
                .inNamespace("kube-system")
                .withName("old-agent.node-password.k3s")
                .get())
        .isNull();
    assertThat(client.nodes().withName("manual-1").get()).as("not kfboot's").isNotNull();
    assertThat(progress)
        .anyMatch(w -> w.contains("manual-1") && w.contains("kfboot did not join it"))
        .anyMatch(w -> w.contains("old-agent") && w.contains("k3s-agent-uninstall.sh"));
    assertThat(new ClusterNodes(client, waiter, "test").joinedHosts())
        .containsExactly("agent-1", "agent-2", "server-1");
  }

  @Test
  void resettingOneHostTakesItsNodeOutOfTheClusterButTheFirstServerKeepsItsOwn() throws Exception {
    lifecycle(THREE);
    hosts.get("agent-2").operator.file("/usr/local/bin/k3s-agent-uninstall.sh", "#!/bin/sh\n");

    hostsApi.reset("agent-2", false);

    assertThat(hosts.get("agent-2").operator.commandLines())
        .anyMatch(c -> c.contains("/usr/local/bin/k3s-agent-uninstall.sh"));
    assertThat(client.nodes().withName("agent-2").get()).isNull();
    assertThat(
            client.secrets().inNamespace("kube-system").withName("agent-2.node-password.k3s").get())
        .isNull();
    assertThat(client.nodes().withName("agent-1").get()).isNotNull();

    hostsApi.reset("agent-1", true);
    assertThat(client.nodes().withName("agent-1").get())
        .as("a dry run deletes nothing")
        .isNotNull();
    hostsApi.reset("server-1", false);
    assertThat(client.nodes().withName("server-1").get())
        .as("the first server holds the API: its Node is left to the cluster's end")
        .isNotNull();
  }
}
