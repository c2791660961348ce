package io.kfboot.bootstrap.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.inventory.K3sVersion;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.HostSteps;
import io.kfboot.bootstrap.steps.Step;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.bootstrap.testing.SshHosts;
import io.kfboot.bootstrap.testing.Sshd;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * k3s upgrades over real SSH to four sshd hosts (own network namespaces where they can be made).
 * What is real: the connections, the uploads of the air-gap binary and script, the shell checks of
 * K3sInstall and K3sRestarted, and on SQLite an online {@code sqlite3 .backup} downloaded to this
 * machine. What is stubbed, per host through sshd's {@code SetEnv PATH}: {@code systemctl} (a unit
 * is a file; starting it runs the installed binary's {@code --version} and keeps what it printed as
 * the version the kubelet reports) and the k3s binaries themselves (scripts that print a version
 * and write an etcd snapshot file). The API side is a fake over those same files.
 */
@Requires({Need.SSHD, Need.SQLITE3})
class K3sUpgradeSshTest {
  static final String FROM = "v1.32.4+k3s1";
  static final K3sVersion TO = K3sVersion.parse("v1.33.1+k3s1");
  static final int HOSTS = 4;

  @TempDir static Path dir;
  static final List<Sshd> sshds = new ArrayList<>();
  static Path known;
  static Path log;

  @BeforeAll
  static void start() throws Exception {
    log = dir.resolve("calls.log");
    Path systemctl = script(dir.resolve("systemctl.sh"), SYSTEMCTL);
    for (int i = 0; i < HOSTS; i++) {
      Path bin = Files.createDirectories(dir.resolve("bin-node-" + i));
      Files.createSymbolicLink(bin.resolve("systemctl"), systemctl);
      script(bin.resolve("k3s"), "#!/bin/sh\nexec \"$KFB_ROOT/usr/local/bin/k3s\" \"$@\"\n");
      script(
          bin.resolve("sqlite3"),
          "#!/bin/sh\n"
              + "echo \"$KFB_HOST sqlite3 ${2%% *}\" >> \"$KFB_LOG\"\n"
              + "exec /usr/bin/sqlite3 \"$@\"\n");
      Path d = Files.createDirectories(dir.resolve("sshd-" + i));
      sshds.add(
          Sshd.startHost(
              d,
              230 + i,
              List.of(
                  "SetEnv PATH="
                      + bin
                      + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin KFB_HOST=node-"
                      + i
                      + " KFB_ROOT="
                      + root(i)
                      + " KFB_STATE="
                      + state(i)
                      + " KFB_LOG="
                      + log)));
    }
    known = SshHosts.knownHosts(sshds, dir.resolve("known_hosts"));
  }

  @AfterAll
  static void stop() {
    sshds.forEach(Sshd::close);
  }

  /**
   * The unit files of a test host: {@code active} while it runs, {@code started} its
   * ActiveEnterTimestamp, {@code running} the version its binary printed when it started, {@code
   * fail-once} makes the next start fail as a dropped connection would.
   */
  static final String SYSTEMCTL =
      """
      #!/bin/sh
      set -e
      for a in "$@"; do unit="$a"; done
      start() {
        if [ -f "$KFB_STATE/fail-once" ]; then
          rm -f "$KFB_STATE/fail-once"
          echo "$KFB_HOST $1 $unit failed" >> "$KFB_LOG"
          exit 1
        fi
        "$KFB_ROOT/usr/local/bin/k3s" --version | grep -o 'v[0-9.]*+k3s[0-9]*' > "$KFB_STATE/running"
        date -u '+%Y-%m-%d %H:%M:%S UTC' > "$KFB_STATE/started"
        touch "$KFB_STATE/active"
        echo "$KFB_HOST $1 $unit" >> "$KFB_LOG"
      }
      case "$1" in
        is-active) [ -f "$KFB_STATE/active" ] ;;
        show) cat "$KFB_STATE/started" ;;
        enable) [ -f "$KFB_STATE/active" ] || start enable ;;
        start|restart) start "$1" ;;
        stop) rm -f "$KFB_STATE/active"; echo "$KFB_HOST stop $unit" >> "$KFB_LOG" ;;
        *) echo "systemctl stub: $*" >&2; exit 2 ;;
      esac
      """;

  static String k3sBinary(String version) {
    return """
    #!/bin/sh
    if [ "$1" = --version ]; then
      echo "k3s version %s (0123abcd)"
      echo "go version go1.23.8"
      exit 0
    fi
    if [ "$1" = etcd-snapshot ] && [ "$2" = save ]; then
      mkdir -p "$6"
      echo "snapshot of $KFB_HOST" > "$6/$4-$KFB_HOST-1700000000"
      echo "$KFB_HOST etcd-snapshot save" >> "$KFB_LOG"
      exit 0
    fi
    exit 1
    """
        .formatted(version);
  }

  static Path root(int i) {
    return dir.resolve("root-node-" + i);
  }

  static Path state(int i) {
    return dir.resolve("state-node-" + i);
  }

  static Path script(Path p, String text) throws IOException {
    Files.writeString(p, text);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  /** Every host at {@link #FROM}, running, started long ago; the log empty. */
  @BeforeEach
  void installed() throws Exception {
    Files.deleteIfExists(log);
    for (int i = 0; i < HOSTS; i++) {
      deleteTree(root(i));
      deleteTree(state(i));
      Path bin = Files.createDirectories(root(i).resolve("usr/local/bin"));
      script(bin.resolve("k3s"), k3sBinary(FROM));
      Files.createDirectories(state(i));
      Files.writeString(state(i).resolve("running"), FROM + "\n");
      Files.writeString(state(i).resolve("started"), "2026-01-01 00:00:00 UTC\n");
      Files.writeString(state(i).resolve("active"), "");
      Path server = Files.createDirectories(root(i).resolve("var/lib/rancher/k3s/server"));
      Files.writeString(server.resolve("token"), "K10-server-token-" + i + "\n");
    }
    Path airgap = Files.createDirectories(dir.resolve("airgap"));
    script(airgap.resolve("k3s"), k3sBinary(TO.toString()));
    Files.writeString(airgap.resolve("k3s-airgap-images-amd64.tar.zst"), "images");
    script(
        airgap.resolve("install.sh"),
        "#!/bin/sh\necho \"$KFB_HOST install $INSTALL_K3S_VERSION $INSTALL_K3S_EXEC\" >>"
            + " \"$KFB_LOG\"\n");
  }

  private static void deleteTree(Path p) throws IOException {
    if (Files.exists(p)) {
      try (var walk = Files.walk(p)) {
        walk.sorted((a, b) -> b.compareTo(a)).forEach(f -> f.toFile().delete());
      }
    }
  }

  /** The API side, read from the hosts' unit files; each call logged beside the hosts'. */
  static final class UnitNodes implements K3sUpgrade.Nodes {
    private static int index(String node) {
      return Integer.parseInt(node.substring("node-".length()));
    }

    private static void call(String what) {
      try {
        Files.writeString(
            log,
            "api " + what + "\n",
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public Optional<String> kubeletVersion(String node) {
      Path s = state(index(node));
      try {
        return Files.exists(s.resolve("active"))
            ? Optional.of(Files.readString(s.resolve("running")).strip())
            : Optional.empty();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public List<String> drainBlockers(String node) {
      return List.of();
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
      if (!kubeletVersion(node).orElse("").equals(version)) {
        throw new KfbootException(
            node + " reports " + kubeletVersion(node).orElse("nothing"),
            "",
            ExitCategory.UNEXPECTED_STATE);
      }
    }

    @Override
    public void uncordon(String node) {
      call("uncordon " + node);
    }
  }

  private static Inventory inventory(int servers, int agents, String extra) {
    String yaml =
        "cluster: lab\nk3s: {version: "
            + FROM
            + ", token: {env: K3S_TOKEN}}\n"
            + "airgap: {k3sBinary: airgap/k3s, images:"
            + " airgap/k3s-airgap-images-amd64.tar.zst, installScript: airgap/install.sh}\n"
            + extra
            + SshHosts.hostsYaml(sshds.subList(0, servers + agents), servers);
    return InventoryLoader.parse(yaml, "inventory.yaml", dir);
  }

  private static HostOperator connect(Inventory.Host h) {
    return SshHosts.connect(h, known);
  }

  private ClusterBootstrap bootstrap(int servers, int agents) {
    return new ClusterBootstrap(
        inventory(servers, agents, ""),
        K3sUpgradeSshTest::connect,
        Map.of("K3S_TOKEN", "K10-cluster-token"),
        Duration.ofSeconds(60),
        8,
        r -> {});
  }

  private static K3sUpgrade.Outcome run(
      ClusterBootstrap b, int batch, boolean plan, Path snapshots) {
    K3sUpgrade.Options options =
        new K3sUpgrade.Options(
            TO, batch, Duration.ofMinutes(1), Duration.ofMinutes(1), false, snapshots);
    return b.upgrade(new UnitNodes(), m -> {})
        .run(options, plan, h -> dir.resolve("root-" + h.name()).toString());
  }

  private static List<String> calls() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  private static List<String> of(List<String> calls, String node) {
    return calls.stream().filter(c -> c.endsWith(" " + node) || c.contains(node + " ")).toList();
  }

  @Test
  void sqliteServerSavedFirstThenServerThenAgentsAndASecondRunChangesNothing() throws Exception {
    // a real SQLite database on the server, in WAL mode as k3s keeps it
    Path db = Files.createDirectories(root(0).resolve("var/lib/rancher/k3s/server/db"));
    Process p =
        new ProcessBuilder(
                "sqlite3",
                db.resolve("state.db").toString(),
                "PRAGMA journal_mode=WAL; CREATE TABLE kine(name TEXT);"
                    + " INSERT INTO kine VALUES('/registry/namespaces/kubeflow');")
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    ClusterBootstrap b = bootstrap(1, 2);

    // refused on the real hosts, before any change: a downgrade
    K3sUpgrade older = b.upgrade(new UnitNodes(), m -> {});
    assertThatThrownBy(
            () ->
                older.run(
                    new K3sUpgrade.Options(
                        K3sVersion.parse("v1.31.9+k3s1"),
                        2,
                        Duration.ofMinutes(1),
                        Duration.ofMinutes(1),
                        false,
                        dir.resolve("never")),
                    false,
                    h -> dir.resolve("root-" + h.name()).toString()))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("refused")
        .hasMessageContaining("does not downgrade");
    assertThat(calls()).isEmpty();

    K3sUpgrade.Outcome planned = run(b, 2, true, null);
    assertThat(planned.plan().waves())
        .containsExactly(List.of("node-0"), List.of("node-1", "node-2"));
    assertThat(calls()).as("a plan changes nothing").isEmpty();

    Path snapshots = dir.resolve("snapshots-sqlite");
    K3sUpgrade.Outcome out = run(b, 2, false, snapshots);
    List<String> calls = calls();
    assertThat(calls.get(0)).isEqualTo("node-0 sqlite3 .backup");
    assertThat(of(calls, "node-0").subList(1, of(calls, "node-0").size()))
        .containsExactly(
            "api cordon node-0",
            "api drain node-0",
            "node-0 install " + TO + " server",
            "node-0 restart k3s",
            "api ready node-0",
            "api uncordon node-0");
    int serverDone = calls.indexOf("api uncordon node-0");
    for (String agent : List.of("node-1", "node-2")) {
      assertThat(of(calls, agent))
          .containsExactly(
              "api cordon " + agent,
              "api drain " + agent,
              agent + " install " + TO + " agent",
              agent + " restart k3s-agent",
              "api ready " + agent,
              "api uncordon " + agent);
      assertThat(calls.indexOf("api cordon " + agent)).isGreaterThan(serverDone);
    }
    assertThat(out.upgraded())
        .startsWith("node-0")
        .containsExactlyInAnyOrder("node-0", "node-1", "node-2");
    assertThat(out.snapshot().file()).isEqualTo(snapshots.resolve("state.db"));
    Process read =
        new ProcessBuilder("sqlite3", out.snapshot().file().toString(), "SELECT name FROM kine;")
            .start();
    assertThat(new String(read.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("/registry/namespaces/kubeflow\n");
    assertThat(Files.readString(out.snapshot().token())).isEqualTo("K10-server-token-0\n");
    assertThat(Files.getPosixFilePermissions(out.snapshot().token()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.list(db).map(f -> f.getFileName().toString()))
        .as("the remote copy is removed")
        .noneMatch(n -> n.startsWith("kfboot-pre-"));

    Files.delete(log);
    K3sUpgrade.Outcome again = run(b, 2, false, dir.resolve("snapshots-again"));
    assertThat(again.upgraded()).isEmpty();
    assertThat(again.snapshot()).isNull();
    assertThat(calls())
        .as("only the uncordon of nodes already at the target")
        .allMatch(c -> c.startsWith("api uncordon "));
  }

  @Test
  void aRunKilledAtTheSecondServerGoesOnFromThereAfterAnEtcdSnapshot() throws Exception {
    for (int i = 0; i < 3; i++) {
      Files.createDirectories(root(i).resolve("var/lib/rancher/k3s/server/db/etcd"));
    }
    Files.writeString(state(1).resolve("fail-once"), "");
    ClusterBootstrap b = bootstrap(3, 1);
    assertThat(run(b, 1, true, null).plan().waves())
        .containsExactly(
            List.of("node-0"), List.of("node-1"), List.of("node-2"), List.of("node-3"));

    assertThatThrownBy(() -> run(b, 1, false, dir.resolve("snapshots-1")))
        .isInstanceOf(HostException.class)
        .hasMessageContaining("node-1");
    List<String> first = calls();
    assertThat(first.get(0)).isEqualTo("node-0 etcd-snapshot save");
    assertThat(first).contains("api uncordon node-0", "node-1 restart k3s failed");
    assertThat(first).noneMatch(c -> c.contains("node-2") || c.contains("node-3"));
    assertThat(dir.resolve("snapshots-1/etcd-snapshot")).hasContent("snapshot of node-0");

    Files.delete(log);
    K3sUpgrade.Outcome resumed = run(b, 1, false, dir.resolve("snapshots-2"));
    assertThat(resumed.upgraded()).containsExactly("node-1", "node-2", "node-3");
    List<String> second = calls();
    assertThat(second)
        .noneMatch(c -> c.startsWith("node-0 install") || c.startsWith("node-0 restart"));
    // node-1's new binary was already on disk: no install again, only the restart it missed
    assertThat(of(second, "node-1"))
        .containsExactly(
            "api cordon node-1",
            "api drain node-1",
            "node-1 restart k3s",
            "api ready node-1",
            "api uncordon node-1");
    assertThat(second.indexOf("api uncordon node-1"))
        .isLessThan(second.indexOf("api cordon node-2"));
    assertThat(second.indexOf("api uncordon node-2"))
        .isLessThan(second.indexOf("api cordon node-3"));
    for (int i = 0; i < 4; i++) {
      assertThat(state(i).resolve("running")).hasContent(TO.toString());
    }
  }

  /** Each host in inventory order: k3s' files, then the restart check, as the roll runs them. */
  private static List<String> roll(Inventory inv) throws Exception {
    List<String> restarted = new ArrayList<>();
    for (Inventory.Host h : inv.hosts()) {
      int i = Integer.parseInt(h.name().substring("node-".length()));
      try (HostOperator op = connect(h)) {
        HostContext ctx = new HostContext(op, h, inv, Duration.ofSeconds(60), root(i).toString());
        List<Step> steps =
            new ArrayList<>(
                HostSteps.k3sFiles(
                    "K10-cluster-token",
                    h.equals(inv.servers().get(0)),
                    "https://" + inv.servers().get(0).address() + ":6443",
                    Map.of("MIRROR_PASSWORD", "pw")));
        steps.add(HostSteps.k3sRestarted());
        for (StepRunner.Result r : StepRunner.run(ctx, steps, false, x -> {})) {
          if (r.step().equals("k3s-restarted") && r.status() == StepRunner.Status.CHANGED) {
            restarted.add(h.name());
          }
        }
      }
    }
    return restarted;
  }

  /** Time passes: every file under the hosts' roots older than the services' start. */
  private static void longAgo() throws IOException {
    for (int i = 0; i < 3; i++) {
      Files.writeString(state(i).resolve("started"), "2026-01-01 00:00:00 UTC\n");
      try (var walk = Files.walk(root(i))) {
        for (Path f : walk.toList()) {
          Files.setLastModifiedTime(f, FileTime.fromMillis(1_700_000_000_000L)); // 2023
        }
      }
    }
  }

  @Test
  void aRegistriesChangeReachesEveryHostAndRestartsK3sThereOneByOne() throws Exception {
    String registries =
        "registries:\n  mirrors: {docker.io: [%s]}\n"
            + "  auth: {mirror.lab.example: {username: puller, passwordEnv: MIRROR_PASSWORD}}\n";
    Inventory first = inventory(1, 2, registries.formatted("https://mirror.lab.example"));
    roll(first);
    String yaml = Files.readString(root(0).resolve(K3sConfig.REGISTRIES_PATH.substring(1)));
    assertThat(yaml).contains("https://mirror.lab.example").contains("password: pw");
    for (int i = 1; i < 3; i++) {
      assertThat(Files.readString(root(i).resolve(K3sConfig.REGISTRIES_PATH.substring(1))))
          .as("byte for byte on every node")
          .isEqualTo(yaml);
    }
    longAgo();
    assertThat(roll(first)).as("nothing changed: no restart").isEmpty();

    Files.delete(log);
    Inventory second = inventory(1, 2, registries.formatted("https://mirror-2.lab.example"));
    assertThat(roll(second)).containsExactly("node-0", "node-1", "node-2");
    assertThat(calls())
        .containsExactly(
            "node-0 restart k3s", "node-1 restart k3s-agent", "node-2 restart k3s-agent");
    assertThat(Files.readString(root(2).resolve(K3sConfig.REGISTRIES_PATH.substring(1))))
        .contains("https://mirror-2.lab.example");
  }
}
