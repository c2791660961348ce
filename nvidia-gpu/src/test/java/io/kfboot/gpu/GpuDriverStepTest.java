package io.kfboot.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class GpuDriverStepTest {
  final Inventory inv =
      InventoryLoader.parse(
          """
          cluster: lab
          k3s: {token: {env: K3S_TOKEN}}
          hosts:
            - {name: cpu-1, address: 10.0.0.1, role: server}
            - {name: gpu-1, address: 10.0.0.2, role: agent, gpu: true}
          """,
          "inventory.yaml",
          Path.of("."));

  private HostContext host(FakeLinuxHost fake, int index) {
    return new HostContext(fake.operator, inv.hosts().get(index), inv, Duration.ofMinutes(1));
  }

  @Test
  void aGpuHostWithItsDriverIsDescribed() {
    FakeLinuxHost fake = new FakeLinuxHost("gpu-1");
    fake.operator.on(
        c ->
            c.argv().contains("nvidia-smi")
                && c.argv().size() > 1
                && c.shellLine().contains("--query-gpu"),
        c -> new ExecResult(0, NvidiaSmiTest.CSV, "", Duration.ZERO));
    fake.operator.on(
        c -> c.argv().get(c.argv().size() - 1).equals("nvidia-smi"),
        c -> new ExecResult(0, NvidiaSmiTest.BANNER, "", Duration.ZERO));
    List<StepRunner.Result> r =
        StepRunner.run(host(fake, 1), List.of(new GpuDriverStep()), false, x -> {});
    assertThat(r.get(0).status()).isEqualTo(StepRunner.Status.OK);
    assertThat(r.get(0).detail())
        .isEqualTo("2 x NVIDIA A100-SXM4-40GB, driver 535.104.05, CUDA 12.2");
  }

  @Test
  void aGpuHostWithoutDriverFailsWithTheFixAndOthersAreLeftAlone() {
    FakeLinuxHost noDriver = new FakeLinuxHost("gpu-1");
    assertThatThrownBy(
            () -> StepRunner.run(host(noDriver, 1), List.of(new GpuDriverStep()), false, x -> {}))
        .isInstanceOfSatisfying(
            HostException.class,
            e -> {
              assertThat(e.getMessage()).contains("gpu-1").contains("nvidia-smi is not installed");
              assertThat(e.fix()).contains("ubuntu-drivers install").contains("gpu: false");
            });
    FakeLinuxHost cpu = new FakeLinuxHost("cpu-1");
    assertThat(
            StepRunner.run(host(cpu, 0), List.of(new GpuDriverStep()), false, x -> {})
                .get(0)
                .detail())
        .isEqualTo("no GPU in the inventory");
    assertThat(cpu.operator.commandLines()).isEmpty();
  }

  @Test
  void theGpuCountBecomesANodeLabelInTheK3sConfig() {
    FakeLinuxHost fake = new FakeLinuxHost("gpu-1");
    fake.operator.on(
        c -> c.shellLine().contains("--query-gpu"),
        c -> new ExecResult(0, NvidiaSmiTest.CSV, "", Duration.ZERO));
    HostContext ctx = host(fake, 1);
    StepRunner.run(ctx, List.of(new GpuDriverStep()), true, x -> {});
    assertThat(ctx.discoveredLabels()).containsEntry(GpuChecks.COUNT, "2");
  }

  @Test
  void withInstallDriverTheDistributionsDriverIsInstalledAndARebootAskedForWhenItIsNotLoaded() {
    Inventory installing =
        InventoryLoader.parse(
            """
            cluster: lab
            k3s: {token: {env: K3S_TOKEN}}
            nvidia: {installDriver: true}
            hosts:
              - {name: gpu-1, address: 10.0.0.2, role: server, gpu: true}
            """,
            "inventory.yaml",
            Path.of("."));
    AtomicBoolean installed = new AtomicBoolean();
    FakeLinuxHost fake = new FakeLinuxHost("gpu-1");
    fake.operator.on(
        c -> c.shellLine().contains("ubuntu-drivers install"),
        c -> {
          installed.set(true);
          return new ExecResult(0, "", "", Duration.ZERO);
        });
    fake.operator.on(
        c -> c.shellLine().contains("--query-gpu"),
        c ->
            installed.get()
                ? new ExecResult(0, NvidiaSmiTest.CSV, "", Duration.ZERO)
                : new ExecResult(127, "", "nvidia-smi: not found", Duration.ZERO));
    fake.operator.on(
        c -> c.shellLine().contains("command -v apt-get"),
        c -> new ExecResult(0, "/usr/bin/apt-get", "", Duration.ZERO));
    HostContext ctx =
        new HostContext(
            fake.operator, installing.hosts().get(0), installing, Duration.ofMinutes(1));
    List<StepRunner.Result> r = StepRunner.run(ctx, List.of(new GpuDriverStep()), false, x -> {});
    assertThat(r.get(0).status()).isEqualTo(StepRunner.Status.CHANGED);
    assertThat(ctx.discoveredLabels()).containsEntry(GpuChecks.COUNT, "2");

    FakeLinuxHost again = new FakeLinuxHost("gpu-1");
    again.operator.on(
        c -> c.shellLine().contains("--query-gpu"),
        c ->
            new ExecResult(
                9,
                "",
                "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver",
                Duration.ZERO));
    again.operator.on(
        c -> c.shellLine().contains("command -v apt-get"),
        c -> new ExecResult(0, "/usr/bin/apt-get", "", Duration.ZERO));
    again.operator.on(
        c -> c.shellLine().contains("ubuntu-drivers install"),
        c -> new ExecResult(0, "", "", Duration.ZERO));
    assertThatThrownBy(
            () ->
                StepRunner.run(
                    new HostContext(
                        again.operator,
                        installing.hosts().get(0),
                        installing,
                        Duration.ofMinutes(1)),
                    List.of(new GpuDriverStep()),
                    false,
                    x -> {}))
        .isInstanceOfSatisfying(
            HostException.class,
            e -> {
              assertThat(e.getMessage())
                  .contains("has the NVIDIA driver installed")
                  .contains("couldn't communicate with the NVIDIA driver");
              assertThat(e.fix()).contains("reboot the host");
            });
  }
}
