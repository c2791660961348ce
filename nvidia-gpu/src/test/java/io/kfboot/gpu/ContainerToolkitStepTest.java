package io.kfboot.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import io.kfboot.bootstrap.testing.Shellcheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerToolkitStepTest {
  final Inventory inv =
      InventoryLoader.parse(
          """
          cluster: lab
          k3s: {token: {env: K3S_TOKEN}}
          hosts: [{name: gpu-1, address: 10.0.0.2, role: server, gpu: true}]
          """,
          "inventory.yaml",
          Path.of("."));

  @Test
  void installedOnceThenSatisfied() {
    FakeLinuxHost fake = new FakeLinuxHost("gpu-1");
    boolean[] installed = {false};
    fake.operator.on(
        c -> c.shellLine().contains("command -v nvidia-container-runtime"),
        c -> new ExecResult(installed[0] ? 0 : 1, "", "", Duration.ZERO));
    fake.operator.on(
        c -> c.shellLine().contains("command -v apt-get"),
        c -> new ExecResult(0, "/usr/bin/apt-get", "", Duration.ZERO));
    fake.operator.on(
        c -> c.shellLine().contains("install -y -q nvidia-container-toolkit"),
        c -> {
          installed[0] = true;
          return new ExecResult(0, "", "", Duration.ZERO);
        });
    HostContext ctx =
        new HostContext(fake.operator, inv.hosts().get(0), inv, Duration.ofMinutes(1));
    assertThat(
            StepRunner.run(ctx, List.of(new ContainerToolkitStep()), false, r -> {})
                .get(0)
                .status())
        .isEqualTo(StepRunner.Status.CHANGED);
    assertThat(
            StepRunner.run(ctx, List.of(new ContainerToolkitStep()), false, r -> {})
                .get(0)
                .status())
        .isEqualTo(StepRunner.Status.OK);
  }

  @Test
  void withDockerNvidiaBecomesDockersDefaultRuntimeOnce() {
    Inventory docker =
        InventoryLoader.parse(
            """
            cluster: lab
            k3s: {token: {env: K3S_TOKEN}}
            containerRuntime: docker
            hosts: [{name: gpu-1, address: 10.0.0.2, role: server, gpu: true}]
            """,
            "inventory.yaml",
            Path.of("."));
    FakeLinuxHost fake = new FakeLinuxHost("gpu-1");
    String[] runtime = {"runc"};
    fake.operator.on(
        c -> c.shellLine().contains("command -v nvidia-container-runtime"),
        c -> new ExecResult(0, "/usr/bin/nvidia-container-runtime", "", Duration.ZERO));
    fake.operator.on(
        c -> c.argv().contains("{{.DefaultRuntime}}"),
        c -> new ExecResult(0, runtime[0] + "\n", "", Duration.ZERO));
    fake.operator.on(
        c -> c.argv().contains("nvidia-ctk"),
        c -> {
          runtime[0] = "nvidia";
          return new ExecResult(0, "", "", Duration.ZERO);
        });
    fake.operator.on(
        c -> c.argv().contains("restart"), c -> new ExecResult(0, "", "", Duration.ZERO));
    HostContext ctx =
        new HostContext(fake.operator, docker.hosts().get(0), docker, Duration.ofMinutes(1));
    StepRunner.Result first =
        StepRunner.run(ctx, List.of(new ContainerToolkitStep()), false, r -> {}).get(0);
    assertThat(first.status()).isEqualTo(StepRunner.Status.CHANGED);
    assertThat(first.detail()).isEqualTo("make nvidia Docker's default runtime");
    assertThat(fake.operator.commandLines())
        .anyMatch(l -> l.contains("nvidia-ctk runtime configure --runtime=docker --set-as-default"))
        .noneMatch(l -> l.contains("apt-get install"));
    assertThat(
            StepRunner.run(ctx, List.of(new ContainerToolkitStep()), false, r -> {})
                .get(0)
                .status())
        .isEqualTo(StepRunner.Status.OK);
  }

  @Test
  void theRepositoryScriptsPassShellcheck(@TempDir Path dir) throws Exception {
    Shellcheck.requireOrSkip();
    for (String script :
        List.of(ContainerToolkitStep.APT_SCRIPT, ContainerToolkitStep.DNF_SCRIPT)) {
      Shellcheck.assertClean(dir, script);
    }
  }

  @Test
  void resetRemovesWhatKfbootInstalledAndRestoresDockersConfig() {
    Inventory docker =
        InventoryLoader.parse(
            """
            cluster: lab
            k3s: {token: {env: K3S_TOKEN}}
            containerRuntime: docker
            hosts: [{name: gpu-1, address: 10.0.0.2, role: server, gpu: true}]
            """,
            "inventory.yaml",
            Path.of("."));
    FakeLinuxHost fake = new FakeLinuxHost("gpu-1");
    fake.operator.file(ContainerToolkitStep.DOCKER_CONFIG, "{\"log-driver\": \"journald\"}\n");
    boolean[] installed = {false};
    String[] runtime = {"runc"};
    fake.operator.on(
        c -> c.shellLine().contains("command -v nvidia-container-runtime"),
        c -> new ExecResult(installed[0] ? 0 : 1, "", "", Duration.ZERO));
    fake.operator.on(
        c -> c.shellLine().contains("command -v apt-get"),
        c -> new ExecResult(0, "/usr/bin/apt-get", "", Duration.ZERO));
    fake.operator.on(
        c -> c.shellLine().contains("install -y -q nvidia-container-toolkit"),
        c -> {
          installed[0] = true;
          return new ExecResult(0, "", "", Duration.ZERO);
        });
    fake.operator.on(
        c -> c.argv().contains("{{.DefaultRuntime}}"),
        c -> new ExecResult(0, runtime[0] + "\n", "", Duration.ZERO));
    fake.operator.on(
        c -> c.argv().contains("nvidia-ctk"),
        c -> {
          runtime[0] = "nvidia";
          fake.operator.file(
              ContainerToolkitStep.DOCKER_CONFIG, "{\"default-runtime\": \"nvidia\"}\n");
          return new ExecResult(0, "", "", Duration.ZERO);
        });
    fake.operator.on(
        c -> c.shellLine().contains("apt-get remove"),
        c -> {
          installed[0] = false;
          return new ExecResult(0, "", "", Duration.ZERO);
        });
    HostContext ctx =
        new HostContext(fake.operator, docker.hosts().get(0), docker, Duration.ofMinutes(1));
    ContainerToolkitStep step = new ContainerToolkitStep();
    StepRunner.run(ctx, List.of(step), false, r -> {});
    assertThat(installed[0]).isTrue();
    List<StepRunner.Result> undone = StepRunner.run(ctx, List.of(step.undo()), false, r -> {});
    assertThat(undone.get(0).status()).isEqualTo(StepRunner.Status.CHANGED);
    assertThat(installed[0]).as("the toolkit kfboot installed is removed").isFalse();
    assertThat(
            new String(
                fake.operator.files().get(ContainerToolkitStep.DOCKER_CONFIG),
                StandardCharsets.UTF_8))
        .as("Docker's daemon.json as it was")
        .isEqualTo("{\"log-driver\": \"journald\"}\n");
    assertThat(fake.operator.files())
        .doesNotContainKeys(
            ContainerToolkitStep.PACKAGE_MARKER, ContainerToolkitStep.DOCKER_BACKUP);
    assertThat(StepRunner.run(ctx, List.of(step.undo()), false, r -> {}).get(0).status())
        .isEqualTo(StepRunner.Status.OK);
  }
}
