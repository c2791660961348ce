package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.testing.Sshd;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import io.kfboot.verify.testing.SimulatedCluster;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kfboot hosts upgrade, add and remove given bad input, against a real sshd host (this machine,
 * without k3s) and the simulated cluster: each refused with its exit code and nothing changed,
 * neither on the host nor through the API.
 */
@Requires(Need.SSHD)
class HostsLifecycleCliTest {
  @TempDir static Path dir;
  static Sshd sshd;
  static int closedPort;

  @BeforeAll
  static void start() throws Exception {
    sshd = Sshd.start(dir);
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
  }

  @AfterAll
  static void stop() {
    if (sshd != null) {
      sshd.close();
    }
  }

  private static Path inventory(String name, String extraHosts) throws Exception {
    return Files.writeString(
        dir.resolve(name),
        """
        cluster: lab
        k3s: {version: v1.32.4+k3s1, token: {env: K3S_TOKEN}}
        hosts:
          - {name: box, address: 127.0.0.1, port: %d, user: root, key: %s, role: server}
        %s
        """
            .formatted(sshd.port, sshd.userKey, extraHosts));
  }

  private static CliRun run(SimulatedCluster cluster, Path inventory, String... args)
      throws Exception {
    Map<String, String> env = CliRun.env(dir);
    env.put("K3S_TOKEN", "K10-never-printed");
    String[] common = {
      "-i",
      inventory.toString(),
      "--known-hosts",
      sshd.knownHosts.toString(),
      "--kubeconfig",
      CliRun.kubeconfig(dir, cluster).toString()
    };
    String[] all = new String[args.length + common.length];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(common, 0, all, args.length, common.length);
    CliRun r = CliRun.of(env, all);
    assertThat(r.err() + r.out()).doesNotContain("K10-never-printed");
    return r;
  }

  @Test
  void aVersionThatIsNoK3sReleaseIsRefusedBeforeAnyHostIsReached() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      Path inv =
          inventory(
              "bad-version.yaml",
              "  - {name: gone, address: 127.0.0.1, port: "
                  + closedPort
                  + ", user: root, role: agent}");
      CliRun r = run(cluster, inv, "hosts", "upgrade", "--k3s", "1.33");
      assertThat(r.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      // the host that does not answer was never tried: the version is checked first
      assertThat(r.err()).contains("1.33").contains("is not a k3s version").doesNotContain("gone");
      assertThat(cluster.writes()).isEmpty();
    }
  }

  @Test
  void aHostWithoutK3sIsRefusedWithThePlanPrintedAndNothingChanged() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      Path inv = inventory("no-k3s.yaml", "");
      CliRun r = run(cluster, inv, "hosts", "upgrade", "--k3s", "v1.33.1+k3s1", "--plan");
      assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(r.err()).contains("refused").contains("box runs no k3s");
      assertThat(cluster.writes()).isEmpty();
    }
  }

  @Test
  void withoutAVersionOnlyHostsBehindTheInventoryAreUpgradedAndFreshOnesAreLeftToUp()
      throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      Path inv = inventory("fresh.yaml", "");
      CliRun r = run(cluster, inv, "hosts", "upgrade");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out()).contains("every host with k3s runs v1.32.4+k3s1");
      assertThat(cluster.writes()).isEmpty();
    }
  }

  @Test
  void anInventoryHostThatDoesNotAnswerStopsTheUpgradeBeforeAnyChange() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      cluster.node("box", Map.of(), Map.of());
      Path inv =
          inventory(
              "gone.yaml",
              "  - {name: gone, address: 127.0.0.1, port: "
                  + closedPort
                  + ", user: root, role: agent}");
      CliRun r = run(cluster, inv, "hosts", "upgrade", "--k3s", "v1.33.1+k3s1");
      assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.HOST);
      assertThat(r.err()).contains("gone").contains("fix:");
      assertThat(cluster.writes()).isEmpty();

      CliRun remove = run(cluster, inv, "hosts", "remove", "--host", "gone");
      assertThat(remove.code()).as(remove.err()).isEqualTo(ExitCodes.HOST);
      assertThat(cluster.writes()).isEmpty();
    }
  }

  @Test
  void theLastServerIsNotRemovedAndAnUnknownHostIsNotAdded() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      cluster.node("box", Map.of(), Map.of());
      Path inv = inventory("one-server.yaml", "");
      CliRun remove = run(cluster, inv, "hosts", "remove", "--host", "box", "--accept-data-loss");
      assertThat(remove.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(remove.err()).contains("only server").contains("fix:");

      CliRun add = run(cluster, inv, "hosts", "add", "--host", "nope", "--plan");
      assertThat(add.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(add.err()).contains("nope is not in the inventory");
      assertThat(cluster.writes()).isEmpty();
    }
  }

  @Test
  void aStrayNodeIsReportedAndItsRemovalPlannedAsJson() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      cluster.node("box", Map.of(), Map.of()).node("old-agent", Map.of(), Map.of());
      Path inv = inventory("stray.yaml", "");
      CliRun r =
          run(cluster, inv, "hosts", "remove", "--host", "old-agent", "--plan", "-o", "json");
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.out())
          .contains("\"host\" : \"old-agent\"")
          .contains("\"planned\" : true")
          .contains("\"claimsLost\" : [ ]");
      assertThat(cluster.writes()).isEmpty();
    }
  }
}
