package io.kfboot.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.LocalHostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.Step;
import io.kfboot.testing.Skips;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The driver check and the parsers against the real nvidia-smi of this machine. Runs where a GPU
 * and its driver are (the device machine; {@code mvn test -pl nvidia-gpu -am -Dgroups=gpu}) and is
 * skipped, saying so, everywhere else.
 */
@Tag("gpu")
class RealGpuTest {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  @BeforeEach
  void needsAGpu() {
    ExecResult r =
        new LocalHostOperator("here")
            .exec(Command.shell("command -v nvidia-smi && nvidia-smi -L"), TIMEOUT);
    if (!(r.ok() && r.stdout().contains("GPU "))) {
      String reason =
          "no NVIDIA GPU with a working driver on this machine (nvidia-smi -L: "
              + (r.ok() ? r.stdout().strip() : "exit " + r.exitCode() + " " + r.stderr().strip())
              + ")";
      Skips.unavailable(false, reason); // no GPU in CI either
    }
  }

  @Test
  void theRealNvidiaSmiParsesAndMatchesItsListing() {
    LocalHostOperator local = new LocalHostOperator("here");
    List<NvidiaSmi.Gpu> gpus =
        NvidiaSmi.parseGpus(
            local
                .exec(Command.of("nvidia-smi").arg(NvidiaSmi.QUERY.toArray(String[]::new)), TIMEOUT)
                .requireOk("local", "nvidia-smi")
                .stdout());
    long listed =
        local
            .exec(Command.of("nvidia-smi", "-L"), TIMEOUT)
            .stdout()
            .lines()
            .filter(l -> l.startsWith("GPU "))
            .count();
    assertThat(gpus).hasSize((int) listed);
    assertThat(gpus)
        .allSatisfy(
            g -> {
              assertThat(g.uuid()).startsWith("GPU-");
              assertThat(g.memoryMiB()).isPositive();
              assertThat(g.driverVersion()).matches("[0-9]+\\.[0-9]+(\\.[0-9]+)?");
            });
    assertThat(NvidiaSmi.cudaVersion(local.exec(Command.of("nvidia-smi"), TIMEOUT).stdout()))
        .matches("[0-9]+\\.[0-9]+");
  }

  @Test
  void theDriverStepPassesAndCountsTheGpus() {
    Inventory inv =
        InventoryLoader.parse(
            """
            cluster: here
            k3s: {token: {env: K3S_TOKEN}}
            hosts: [{name: here, address: 127.0.0.1, role: server, gpu: true, user: root}]
            """,
            "inventory.yaml",
            Path.of("."));
    HostContext ctx =
        new HostContext(new LocalHostOperator("here"), inv.hosts().get(0), inv, TIMEOUT);
    Step.Check check = new GpuDriverStep().check(ctx);
    assertThat(check.satisfied()).as(check.detail()).isTrue();
    assertThat(ctx.discoveredLabels().get(GpuChecks.COUNT)).matches("[1-9][0-9]*");
    System.out.println(
        "real GPU: "
            + check.detail()
            + ", "
            + GpuChecks.COUNT
            + "="
            + ctx.discoveredLabels().get(GpuChecks.COUNT));
  }
}
