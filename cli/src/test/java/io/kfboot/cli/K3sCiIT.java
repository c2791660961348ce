package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.verify.testing.DockerK3s;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 'kfboot ci' for real: an ephemeral k3s in Docker, cert-manager, Istio and the admission webhook
 * installed from the v1.10.2 fixture, verify with its JUnit report. Runs where a Docker engine can
 * start privileged containers; skipped, with the reason printed, elsewhere.
 */
class K3sCiIT {
  @TempDir Path tmp;

  @Test
  void anEphemeralClusterInstallsAndVerifies() throws Exception {
    DockerK3s.requireDockerOrSkip();
    Map<String, String> env = CliRun.env(tmp);
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
    Path junit = tmp.resolve("verify.xml");
    CliRun r =
        CliRun.of(
            env,
            "ci",
            "--manifests",
            Fixtures.tarball(Fixtures.V1_10_2).toString(),
            "--components",
            "istio-install,admission-webhook",
            "--report-junit",
            junit.toString());
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(Files.readString(junit))
        .contains("testcase")
        .contains("storage-probe")
        .contains("failures=\"0\"");
  }
}
