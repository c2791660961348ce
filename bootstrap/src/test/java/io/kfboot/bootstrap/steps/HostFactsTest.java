package io.kfboot.bootstrap.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.host.LocalHostOperator;
import io.kfboot.bootstrap.host.RecordingHostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HostFactsTest {
  /** What an Ubuntu 24.04 VM with k3s running answers, byte for byte. */
  static final String K3S_NODE =
      """
      arch=x86_64
      cpus=8
      memory_kib=32780364
      disk_free_kib=81234560
      systemd=yes
      k3s=yes
      tcp=22 53 6443 6444 10010 10248 10250 10256 10257 10258 10259
      udp=68 8472
      ntp=yes
      dns=yes
      """;

  @Test
  void theProbeIsReadByNameIntoTypedFacts() {
    HostFacts f = HostFacts.parse(K3S_NODE);
    assertThat(f.arch()).isEqualTo("x86_64");
    assertThat(f.cpus()).isEqualTo(8);
    assertThat(f.memoryKib()).isEqualTo(32780364L);
    assertThat(f.diskFreeKib()).isEqualTo(81234560L);
    assertThat(f.systemd()).isTrue();
    assertThat(f.k3sInstalled()).isTrue();
    assertThat(f.tcpListening()).contains(22, 6443, 10250).doesNotContain(2379);
    assertThat(f.udpListening()).containsExactlyInAnyOrder(68, 8472);
    assertThat(f.clockSynchronised()).contains(true);
    assertThat(Network.problems(f, false)).as("k3s' own ports are not in the way").isEmpty();
    assertThat(Preflight.problems(f)).isEmpty();
  }

  @Test
  void theOrderOfLinesDoesNotMatterAndUnknownTimeSyncIsNoProblem() {
    String shuffled =
        K3S_NODE.replace("ntp=yes", "ntp=").lines().sorted().reduce("", (a, b) -> a + b + "\n");
    HostFacts f = HostFacts.parse(shuffled);
    assertThat(f.cpus()).isEqualTo(8);
    assertThat(f.clockSynchronised()).isEmpty();
    assertThat(Network.problems(f, false)).isEmpty();
  }

  @Test
  void aFactTheHostCouldNotGiveIsNamedNotShiftedIntoTheNext() {
    String noMemory =
        K3S_NODE.replace("memory_kib=32780364\n", "memory_kib=\n").replace("cpus=8", "cpus=eight");
    assertThatThrownBy(() -> HostFacts.parse(noMemory))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cpus not a number: 'eight', memory_kib missing");
  }

  @Test
  void problemsAreWordedFromTheFacts() {
    HostFacts small =
        HostFacts.parse(
            K3S_NODE
                .replace("arch=x86_64", "arch=armv7l")
                .replace("cpus=8", "cpus=1")
                .replace("systemd=yes", "systemd=no")
                .replace("k3s=yes", "k3s=no")
                .replace("ntp=yes", "ntp=no")
                .replace("dns=yes", "dns=no"));
    assertThat(Preflight.problems(small))
        .containsExactly(
            "architecture armv7l (k3s and Kubeflow's images need x86_64 or aarch64)",
            "1 CPUs (at least 2)",
            "no systemd (k3s runs as a systemd service)");
    assertThat(Network.problems(small, false))
        .anyMatch(p -> p.equals("port 6443/tcp is taken"))
        .anyMatch(p -> p.equals("port 8472/udp is taken"))
        .anyMatch(p -> p.startsWith("the clock is not synchronised"))
        .anyMatch(p -> p.startsWith("get.k3s.io does not resolve"));
    assertThat(Network.problems(small, true))
        .as("airgap installs need no DNS")
        .noneMatch(p -> p.startsWith("get.k3s.io"));
  }

  static Inventory oneHost(String name) {
    return InventoryLoader.parse(
        """
        cluster: lab
        k3s: {token: {env: K3S_TOKEN}}
        hosts: [{name: %s, address: 127.0.0.1, role: server, user: root}]
        """
            .formatted(name),
        "inventory.yaml",
        Path.of("."));
  }

  @Test
  void theProbeRunsOnThisMachineOnceAndParses() {
    Inventory inv = oneHost("here");
    LocalHostOperator local = new LocalHostOperator("here");
    HostContext host = new HostContext(local, inv.hosts().get(0), inv, Duration.ofMinutes(1));
    HostFacts f = host.facts();
    assertThat(f.arch()).isNotBlank();
    assertThat(f.cpus()).isPositive();
    assertThat(f.memoryKib()).isPositive();
    assertThat(f.diskFreeKib()).isPositive();
    assertThat(host.facts()).as("probed once, kept for the run").isSameAs(f);
  }

  @Test
  void aFakeHostAnswersLikeARealOneAndAHostThatCannotAnswerIsAnErrorWithItsFix() {
    Inventory inv = oneHost("odd");
    var fake = new FakeLinuxHost("odd");
    fake.cpus = 4;
    HostContext ok = new HostContext(fake.operator, inv.hosts().get(0), inv, Duration.ofMinutes(1));
    assertThat(ok.facts().cpus()).isEqualTo(4);
    var silent = new RecordingHostOperator("silent");
    HostContext none = new HostContext(silent, inv.hosts().get(0), inv, Duration.ofMinutes(1));
    assertThatThrownBy(none::facts)
        .isInstanceOfSatisfying(
            HostException.class,
            e -> {
              assertThat(e.getMessage()).contains("cannot read the host's facts: arch missing");
              assertThat(e.fix()).contains("coreutils");
            });
  }
}
