package io.kfboot.bootstrap.k3s;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.steps.StepRunner.Result;
import io.kfboot.bootstrap.steps.StepRunner.Status;
import io.kfboot.bootstrap.testing.SshHosts;
import io.kfboot.bootstrap.testing.Sshd;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three real sshd hosts (own network namespaces where possible) brought up in sandbox mode. */
@Requires(Need.SSHD)
class ClusterSandboxTest {
  @TempDir static Path dir;
  static final List<Sshd> hosts = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    for (int i = 0; i < 3; i++) {
      Path d = dir.resolve("host" + i);
      Files.createDirectories(d);
      hosts.add(Sshd.startHost(d, 200 + i));
    }
  }

  @AfterAll
  static void stop() {
    hosts.forEach(Sshd::close);
  }

  @Test
  void everyHostGetsItsK3sFilesAndASecondRunChangesNothing() throws Exception {
    Inventory inv =
        InventoryLoader.parse(
            "cluster: lab\nk3s: {token: {env: K3S_TOKEN}}\n" + SshHosts.hostsYaml(hosts, 1),
            "inventory.yaml",
            dir);
    Path known = SshHosts.knownHosts(hosts, dir.resolve("known_hosts"));
    ClusterBootstrap b =
        new ClusterBootstrap(
            inv,
            h -> SshHosts.connect(h, known),
            Map.of("K3S_TOKEN", "K10-sandbox"),
            Duration.ofSeconds(30),
            8,
            r -> {});

    List<Result> first = b.sandbox(h -> dir.resolve("root-" + h.name()).toString());
    assertThat(first)
        .filteredOn(r -> r.step().startsWith("k3s-"))
        .extracting(Result::status)
        .containsOnly(Status.CHANGED, Status.OK);
    assertThat(Files.readString(dir.resolve("root-node-0").resolve(K3sConfig.PATH.substring(1))))
        .doesNotContain("server:");
    assertThat(Files.readString(dir.resolve("root-node-2").resolve(K3sConfig.PATH.substring(1))))
        .contains("server: https://" + hosts.get(0).address + ":6443");

    List<Result> second = b.sandbox(h -> dir.resolve("root-" + h.name()).toString());
    assertThat(second)
        .filteredOn(r -> r.step().startsWith("k3s-"))
        .extracting(Result::status)
        .containsOnly(Status.OK);
  }
}
