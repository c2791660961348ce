package io.kfboot.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import io.kfboot.bootstrap.testing.Shellcheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerToolkitStepTest {
  final Inventory inv = InventoryLoader.parse("""
      cluster: lab
      k3s: {token: {env: K3S_TOKEN}}
      hosts: [{name: gpu-1, address: 10.0.0.2, role: server, gpu: true}]
      """, "inventory.yaml", Path.of("."));

  @Test
  void installedOnceThenSatisfied() {
    FakeLinuxHost fake = new FakeLinuxHost("gpu-1");
    boolean[] installed = {false};
    fake.operator.on(c -> c.shellLine().contains("command -v nvidia-container-runtime"),
        c -> new ExecResult(installed[0] ? 0 : 1, "", "", Duration.ZERO));
    fake.operator.on(c -> c.shellLine().contains("command -v apt-get"), c -> new ExecResult(0, "/usr/bin/apt-get", "", Duration.ZERO));
    fake.operator.on(c -> c.shellLine().contains("install -y -q nvidia-container-toolkit"), c -> {
      installed[0] = true;
      return new ExecResult(0, "", "", Duration.ZERO);
    });
    HostContext ctx = new HostContext(fake.operator, inv.hosts().get(0), inv, Duration.ofMinutes(1));
    assertThat(StepRunner.run(ctx, List.of(new ContainerToolkitStep()), false, r -> {}).get(0).status()).isEqualTo(StepRunner.Status.CHANGED);
    assertThat(StepRunner.run(ctx, List.of(new ContainerToolkitStep()), false, r -> {}).get(0).status()).isEqualTo(StepRunner.Status.OK);
  }

  @Test
  void theRepositoryScriptsPassShellcheck(@TempDir Path dir) throws Exception {
    Shellcheck.requireOrSkip();
    for (String script : List.of(ContainerToolkitStep.APT_SCRIPT, ContainerToolkitStep.DNF_SCRIPT)) {
      Shellcheck.assertClean(dir, script);
    }
  }
}
