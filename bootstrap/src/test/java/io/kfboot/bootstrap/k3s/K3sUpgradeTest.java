package io.kfboot.bootstrap.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.host.RecordingHostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.inventory.K3sVersion;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k3s upgrades on recording hosts with a recording API: the order k3s documents, the datastore
 * saved first, each node drained and waited Ready at the target, the refusals, and a rerun after a
 * kill going on where the first run stopped.
 */
class K3sUpgradeTest {
  static final String FROM = "v1.32.4+k3s1";
  static final K3sVersion TO = K3sVersion.parse("v1.33.1+k3s1");
  static final Map<String, String> ENV = Map.of("K3S_TOKEN", "K10-secret-token");

  @TempDir Path dir;
  final Map<String, FakeLinuxHost> hosts = new LinkedHashMap<>();
  final FakeNodes nodes = new FakeNodes();
  final List<String> messages = new CopyOnWriteArrayList<>();

  /** The API side: what each node's kubelet runs, and every call in order with the hosts'. */
  final class FakeNodes implements K3sUpgrade.Nodes {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final Map<String, List<String>> blockers = new LinkedHashMap<>();

    private void call(String what) {
      calls.add(what);
      FakeLinuxHost.CLOCK.incrementAndGet();
    }

    @Override
    public Optional<String> kubeletVersion(String node) {
      FakeLinuxHost h = hosts.get(node);
      return h.serviceActive ? Optional.ofNullable(h.runningVersion) : Optional.empty();
    }

    @Override
    public List<String> drainBlockers(String node) {
      return blockers.getOrDefault(node, List.of());
    }

    @Override
    public void cordon(String node) {
      call("cordon " + node);
    }

    @Override
    public void drain(String node, Duration timeout) {
      call("drain " + node);
    }

    @Override
    public void awaitReady(String node, String version, Duration timeout) {
      call("ready " + node);
      if (!version.equals(kubeletVersion(node).orElse(""))) {
        throw new KfbootException(
            "kubelet reports " + kubeletVersion(node), "", ExitCategory.UNEXPECTED_STATE);
      }
    }

    @Override
    public void uncordon(String node) {
      call("uncordon " + node);
    }
  }

  private Inventory inventory(String hostsYaml) {
    return InventoryLoader.parse(
        "cluster: lab\nk3s: {version: "
            + FROM
            + ", token: {env: K3S_TOKEN}}\nssh: {user: ubuntu}\nhosts:\n"
            + hostsYaml,
        "inventory.yaml",
        dir);
  }

  static final String HA =
      """
        - {name: server-1, address: 10.0.0.11, role: server}
        - {name: server-2, address: 10.0.0.12, role: server}
        - {name: server-3, address: 10.0.0.13, role: server}
        - {name: agent-1, address: 10.0.0.21, role: agent}
        - {name: agent-2, address: 10.0.0.22, role: agent}
        - {name: agent-3, address: 10.0.0.23, role: agent}
      """;

  /** Hosts running {@code version}, the first server on embedded etcd that can snapshot. */
  private K3sUpgrade upgrade(Inventory inv, String version) {
    for (Inventory.Host h : inv.hosts()) {
      FakeLinuxHost f = hosts.computeIfAbsent(h.name(), FakeLinuxHost::new);
      f.k3sVersion = version;
      f.runningVersion = version;
      f.serviceActive = true;
      f.operator.file(
          "/usr/local/bin/k3s-" + (h.role() == Role.SERVER ? "" : "agent-") + "uninstall.sh", "");
    }
    RecordingHostOperator first = hosts.get(inv.servers().get(0).name()).operator;
    first.on("/etcd ]; then echo etcd", 0, inv.servers().size() > 1 ? "etcd\n" : "sqlite\n");
    first.on("command -v sqlite3", 0, "/usr/bin/sqlite3\n");
    first.on(
        c -> c.shellLine().contains("ls -1 -- " + Datastore.DB + "/snapshots/"),
        c -> {
          String remote = c.argv().get(c.argv().size() - 1);
          first.file(remote + "/snap-server-1", "etcd bytes");
          FakeLinuxHost.CLOCK.incrementAndGet();
          return new ExecResult(0, "snap-server-1\n", "", Duration.ZERO);
        });
    first.file(Datastore.DB + "/kfboot-pre.db", "");
    first.file(Datastore.SERVER_TOKEN, "K10abc::server:secret\n");
    ClusterBootstrap b =
        new ClusterBootstrap(
            inv, h -> hosts.get(h.name()).operator, ENV, Duration.ofMinutes(1), 4, r -> {});
    return b.upgrade(nodes, messages::add);
  }

  private K3sUpgrade.Options options(int batch) {
    return new K3sUpgrade.Options(
        TO, batch, Duration.ofMinutes(5), Duration.ofMinutes(5), false, dir.resolve("snapshots"));
  }

  /** Where in the shared clock each host's k3s install script ran. */
  private long installedAt(String host) {
    List<Long> at = hosts.get(host).installedAt;
    assertThat(at).as(host + " installed once").hasSize(1);
    return at.get(0);
  }

  @Test
  void serversOneAtATimeThenAgentsInBatchesEachDrainedAndWaitedReady() {
    Inventory inv = inventory(HA);
    K3sUpgrade up = upgrade(inv, FROM);

    K3sUpgrade.Outcome out = up.run(options(2), false);

    assertThat(out.plan().waves())
        .containsExactly(
            List.of("server-1"),
            List.of("server-2"),
            List.of("server-3"),
            List.of("agent-1", "agent-2"),
            List.of("agent-3"));
    hosts.values().forEach(h -> assertThat(h.runningVersion).isEqualTo(TO.toString()));
    // each node's own sequence
    for (String n : List.of("server-1", "server-2", "agent-3")) {
      assertThat(nodes.calls.stream().filter(c -> c.endsWith(" " + n)).toList())
          .containsExactly("cordon " + n, "drain " + n, "ready " + n, "uncordon " + n);
    }
    // servers strictly one after another, agents after the last server
    assertThat(installedAt("server-1")).isLessThan(installedAt("server-2"));
    assertThat(installedAt("server-2")).isLessThan(installedAt("server-3"));
    assertThat(installedAt("server-3")).isLessThan(installedAt("agent-1"));
    assertThat(installedAt("server-3")).isLessThan(installedAt("agent-2"));
    assertThat(Math.max(installedAt("agent-1"), installedAt("agent-2")))
        .isLessThan(installedAt("agent-3"));
    // the datastore first, saved as etcd snapshot and kept here
    assertThat(out.snapshot().kind()).isEqualTo(Datastore.Kind.ETCD);
    assertThat(out.snapshot().file()).exists();
    List<String> first = hosts.get("server-1").operator.commandLines();
    int save = indexOf(first, "k3s etcd-snapshot save --name kfboot-pre-v1.33.1-k3s1-");
    int install = indexOf(first, "INSTALL_K3S_VERSION=v1.33.1+k3s1");
    assertThat(save).isNotNegative().isLessThan(install);
    // restarted onto the new binary with the unchanged config
    assertThat(first.get(install)).contains("INSTALL_K3S_EXEC=server");
    assertThat(first).anyMatch(l -> l.endsWith("systemctl restart k3s"));
    assertThat(hosts.get("agent-1").operator.commandLines())
        .anyMatch(l -> l.endsWith("systemctl restart k3s-agent"));
    assertThat(String.join("\n", first) + messages).doesNotContain("secret");
    assertThat(out.upgraded()).hasSize(6);
  }

  @Test
  void aRerunAfterAKillGoesOnWithTheNextNodeNotAtTheTarget() {
    Inventory inv = inventory(HA);
    K3sUpgrade up = upgrade(inv, FROM);
    hosts.get("server-2").failRestarts = 1; // killed while restarting onto the new binary

    assertThatThrownBy(() -> up.run(options(3), false))
        .isInstanceOf(HostException.class)
        .hasMessageContaining("server-2");
    assertThat(hosts.get("server-1").runningVersion).isEqualTo(TO.toString());
    assertThat(hosts.get("server-3").installedAt).isEmpty();
    assertThat(hosts.get("agent-1").installedAt).isEmpty();
    nodes.calls.clear();

    K3sUpgrade.Outcome again = up.run(options(3), false);

    assertThat(again.plan().waves())
        .as("server-1 is done; server-2 has the binary but runs the old one")
        .containsExactly(
            List.of("server-2"), List.of("server-3"), List.of("agent-1", "agent-2", "agent-3"));
    assertThat(hosts.get("server-1").installedAt).as("not installed again").hasSize(1);
    assertThat(hosts.get("server-2").installedAt)
        .as("its binary was already at the target: only the restart is left")
        .hasSize(1);
    assertThat(nodes.calls).contains("uncordon server-1").doesNotContain("cordon server-1");
    hosts.values().forEach(h -> assertThat(h.runningVersion).isEqualTo(TO.toString()));

    K3sUpgrade.Outcome third = up.run(options(3), false);
    assertThat(third.plan().pending()).isEmpty();
    assertThat(third.snapshot()).as("nothing to do, nothing saved").isNull();
  }

  @Test
  void planOnlyLooksAndChangesNothing() {
    Inventory inv = inventory(HA);
    K3sUpgrade up = upgrade(inv, FROM);
    nodes.blockers.put("agent-2", List.of("PodDisruptionBudget knative-serving/activator-pdb"));

    K3sUpgrade.Outcome out = up.run(options(2), true);

    assertThat(out.plan().pending()).hasSize(6);
    assertThat(out.plan().nodes())
        .allMatch(n -> n.installed().orElseThrow().toString().equals(FROM));
    assertThat(out.plan().datastore()).contains("etcd snapshot on server-1");
    assertThat(messages).anyMatch(m -> m.contains("activator-pdb"));
    assertNothingChanged();
  }

  @Test
  void aBlockingBudgetIsReportedWithItsFixBeforeAnyChange() {
    Inventory inv = inventory(HA);
    K3sUpgrade up = upgrade(inv, FROM);
    nodes.blockers.put(
        "agent-2",
        List.of(
            "PodDisruptionBudget knative-serving/activator-pdb (minAvailable 80%) allows no"
                + " disruption"));

    assertThatThrownBy(() -> up.run(options(2), false))
        .isInstanceOfSatisfying(
            KfbootException.class,
            e -> {
              assertThat(e.getMessage())
                  .contains("agent-2: PodDisruptionBudget knative-serving/activator-pdb");
              assertThat(e.fix()).contains("kubectl -n knative-serving delete pdb activator-pdb");
            });
    assertNothingChanged();
  }

  @Test
  void refusalsNameTheProblemAndTheWayOutAndChangeNothing() {
    // a downgrade
    Inventory inv = inventory(HA);
    K3sUpgrade newer = upgrade(inv, "v1.34.0+k3s1");
    assertThatThrownBy(() -> newer.run(options(1), false))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("server-1 runs v1.34.0+k3s1, newer than v1.33.1+k3s1")
        .hasMessageContaining("does not downgrade");
    assertNothingChanged();
  }

  @Test
  void theRulesOfThePlanAsAPureFunction() {
    Inventory ha = inventory(HA);
    Map<String, K3sUpgrade.NodeState> found = new LinkedHashMap<>();
    ha.hosts().forEach(h -> found.put(h.name(), state(h, "v1.31.9+k3s1")));
    // a skipped minor, with the path
    K3sUpgrade.Plan skip = K3sUpgrade.plan(ha, TO, found, Datastore.Kind.ETCD, 2);
    assertThat(skip.refusals())
        .singleElement()
        .asString()
        .contains("skips a minor release")
        .contains("v1.31 -> v1.32 -> v1.33")
        .contains("--k3s v1.32.N+k3s1");
    // an even number of etcd members
    Inventory four =
        inventory(
            HA.replace(
                "  - {name: agent-1, address: 10.0.0.21, role: agent}",
                "  - {name: server-4, address: 10.0.0.14, role: server}"));
    Map<String, K3sUpgrade.NodeState> at = new LinkedHashMap<>();
    four.hosts().forEach(h -> at.put(h.name(), state(h, FROM)));
    assertThat(K3sUpgrade.plan(four, TO, at, Datastore.Kind.ETCD, 2).refusals())
        .singleElement()
        .asString()
        .contains("4 servers share embedded etcd");
    assertThat(K3sUpgrade.plan(four, TO, at, null, 2).refusals())
        .as("an external datastore keeps its own quorum")
        .isEmpty();
    // a host without k3s
    at.put(
        "agent-2",
        new K3sUpgrade.NodeState("agent-2", Role.AGENT, false, Optional.empty(), Optional.empty()));
    assertThat(K3sUpgrade.plan(four, TO, at, null, 2).refusals())
        .singleElement()
        .asString()
        .contains("agent-2 runs no k3s")
        .contains("kfboot hosts add --host agent-2");
    // a GPU host whose target cannot make nvidia the default runtime
    Inventory gpu =
        InventoryLoader.parse(
            "cluster: lab\nk3s: {version: v1.29.1+k3s1, token: {env: K3S_TOKEN}}\nhosts:\n"
                + "  - {name: s, address: 10.0.0.1, role: server}\n"
                + "  - {name: g, address: 10.0.0.2, role: agent, gpu: true}\n",
            "inventory.yaml",
            dir);
    Map<String, K3sUpgrade.NodeState> old = new LinkedHashMap<>();
    gpu.hosts().forEach(h -> old.put(h.name(), state(h, "v1.28.1+k3s1")));
    assertThat(
            K3sUpgrade.plan(gpu, K3sVersion.parse("v1.28.4+k3s1"), old, Datastore.Kind.SQLITE, 1)
                .refusals())
        .singleElement()
        .asString()
        .contains("GPU host g")
        .contains("no default-runtime");
  }

  @Test
  void versionsAreReadAndComparedAsK3sReleases() {
    assertThat(K3sVersion.parse("v1.33.10+k3s1")).isGreaterThan(K3sVersion.parse("v1.33.9+k3s2"));
    assertThat(K3sVersion.parse("v1.33.1+k3s2")).isGreaterThan(K3sVersion.parse("v1.33.1+k3s1"));
    assertThat(
            K3sVersion.fromVersionOutput("k3s version v1.32.4+k3s1 (c3f5a2b1)\ngo version go1.23"))
        .contains(K3sVersion.parse(FROM));
    assertThat(K3sVersion.parse("v1.31.2+k3s1").skipsMinorTo(K3sVersion.parse("v1.32.9+k3s1")))
        .isFalse();
    assertThat(K3sVersion.parse("v1.31.2+k3s1").skipsMinorTo(K3sVersion.parse("v1.33.0+k3s1")))
        .isTrue();
    assertThat(K3sVersion.parse(FROM).imageTag()).isEqualTo("v1.32.4-k3s1");
    for (String bad : List.of("1.33.1", "v1.33.1", "v1.33+k3s1", "v1.33.1-k3s1", "latest")) {
      assertThatThrownBy(() -> K3sVersion.parse(bad))
          .isInstanceOfSatisfying(
              KfbootException.class,
              e -> {
                assertThat(e.category()).isEqualTo(ExitCategory.INVALID_INPUT);
                assertThat(e.getMessage()).contains("'" + bad + "' is not a k3s version");
                assertThat(e.fix()).contains("v1.33.4+k3s1");
              });
    }
  }

  @Test
  void aHostThatDoesNotAnswerStopsTheUpgradeBeforeAnyChange() {
    Inventory inv = inventory(HA);
    upgrade(inv, FROM);
    ClusterBootstrap b =
        new ClusterBootstrap(
            inv,
            h -> {
              if (h.name().equals("agent-3")) {
                throw new HostException(
                    "agent-3", "connecting: Connection timed out", "check the host", true);
              }
              return hosts.get(h.name()).operator;
            },
            ENV,
            Duration.ofMinutes(1),
            4,
            r -> {});
    assertThatThrownBy(() -> b.upgrade(nodes, messages::add).run(options(2), false))
        .isInstanceOf(HostException.class)
        .hasMessageContaining("agent-3");
    assertNothingChanged();
  }

  private static K3sUpgrade.NodeState state(Inventory.Host h, String version) {
    return new K3sUpgrade.NodeState(
        h.name(),
        h.role(),
        h.gpu(),
        Optional.of(K3sVersion.parse(version)),
        Optional.of(K3sVersion.parse(version)));
  }

  private void assertNothingChanged() {
    hosts.values().forEach(h -> assertThat(h.installedAt).as(h.operator.name()).isEmpty());
    assertThat(new ArrayList<>(nodes.calls))
        .noneMatch(c -> c.startsWith("cordon") || c.startsWith("drain"));
    assertThat(hosts.get("server-1").operator.commandLines())
        .noneMatch(l -> l.contains("etcd-snapshot save") || l.contains("systemctl restart"));
  }

  private static int indexOf(List<String> lines, String fragment) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(fragment)) {
        return i;
      }
    }
    return -1;
  }
}
