package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad flags, typos and values from the environment: a usage error that names the problem, exit 2,
 * nothing done.
 */
class CliInputTest {
  @TempDir Path tmp;

  private CliRun run(String... args) {
    return CliRun.of(CliRun.env(tmp), args);
  }

  @Test
  void absurdDurationsAreUsageErrorsNotStackTraces() {
    for (String value : new String[] {"99999999999999999999", "9999999999999999h", "0s", "ten"}) {
      CliRun r = run("install", "--timeout", value);
      assertThat(r.code()).as(value + ": " + r.err()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(r.err())
          .contains("--timeout")
          .contains(value)
          .doesNotContain("Exception")
          .doesNotContain("\tat ");
    }
  }

  @Test
  void aComponentBothWantedAndLeftOutIsRefused() {
    CliRun r = run("plan", "--components", "katib,pipelines", "--without", "katib");
    assertThat(r.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.err()).contains("--components and --without both name katib").contains("fix:");
  }

  @Test
  void aMistypedCommandIsNamedWithTheNearestOneEvenWithHelp() {
    CliRun r = run("instal", "--help");
    assertThat(r.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.err())
        .contains("'instal' is no command of kfboot")
        .contains("did you mean install?");
    assertThat(r.out()).doesNotContain("Usage: kfboot");
    CliRun nested = run("hosts", "pln", "--help");
    assertThat(nested.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(nested.err()).contains("'pln' is no command of kfboot hosts").contains("plan");
    CliRun help = run("install", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("Usage: kfboot install");
  }

  @Test
  void aBadValueFromTheEnvironmentNamesTheVariable() {
    Map<String, String> env = CliRun.env(tmp);
    env.put("KFBOOT_GPU_TIME_SLICING", "many");
    CliRun r = CliRun.of(env, "plan");
    assertThat(r.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.err())
        .contains("--time-slicing")
        .contains("many")
        .contains("(from KFBOOT_GPU_TIME_SLICING)");
  }

  @Test
  void statusOnAClusterWithoutKfbootSaysWhatToDo() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      Map<String, String> env = CliRun.env(tmp);
      env.put("KUBECONFIG", CliRun.kubeconfig(tmp, cluster).toString());
      CliRun r = CliRun.of(env, "status");
      assertThat(r.code()).isEqualTo(ExitCodes.UNEXPECTED_STATE);
      assertThat(r.out())
          .contains("kfboot has installed nothing on this cluster")
          .contains("fix: install Kubeflow with 'kfboot install'");
    }
  }

  @Test
  void completionScriptsCoverTheCommandTree() {
    CliRun bash = run("completion", "bash");
    assertThat(bash.code()).isZero();
    assertThat(bash.out())
        .contains("complete -F")
        .contains("install")
        .contains("--manifests")
        .contains("hosts");
    CliRun zsh = run("completion", "zsh");
    assertThat(zsh.out()).startsWith("autoload -U +X bashcompinit && bashcompinit");
    assertThat(run("completion", "fish").code()).isEqualTo(ExitCodes.INVALID_INPUT);
  }
}
