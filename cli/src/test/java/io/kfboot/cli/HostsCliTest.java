package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.testing.Sshd;
import io.kfboot.platform.Setting;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kfboot hosts plan over real SSH to this machine (checks only: nothing on it changes). */
@Requires(Need.SSHD)
class HostsCliTest {
  @TempDir static Path dir;
  static Sshd sshd;

  @BeforeAll
  static void start() throws Exception {
    sshd = Sshd.start(dir);
  }

  @AfterAll
  static void stop() {
    if (sshd != null) {
      sshd.close();
    }
  }

  private static CliRun run(Map<String, String> env, String... args) {
    return CliRun.of(env, args);
  }

  private Path inventory() throws Exception {
    return Files.writeString(
        dir.resolve("inventory.yaml"),
        """
        cluster: lab
        k3s: {token: {env: K3S_TOKEN}}
        registries: {mirrors: {docker.io: [https://mirror.lab.example]}}
        hosts:
          - {name: box, address: 127.0.0.1, port: %d, user: root, key: %s, role: server}
        """
            .formatted(sshd.port, sshd.userKey));
  }

  @Test
  void planLooksAtARealHostAndPrintsRedactedCommands() throws Exception {
    Map<String, String> env = CliRun.env(dir);
    env.put("K3S_TOKEN", "K10-never-printed");
    CliRun r =
        run(
            env,
            "hosts",
            "plan",
            "-i",
            inventory().toString(),
            "--known-hosts",
            sshd.knownHosts.toString(),
            "--print-commands");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains("[box] preflight: ")
        .contains("[box] sysctl: ")
        .contains("[box] k3s-token: would change (create /etc/rancher/k3s/kfboot-token)")
        .contains("[box] $ ")
        .doesNotContain("K10-never-printed");
    assertThat(r.out())
        .contains("would change something")
        .contains("registries.yaml differs from the inventory's on box");
  }

  @Test
  void anUnknownHostKeyIsRefusedWithExitCode10() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
    Map<String, String> env = CliRun.env(dir);
    env.put("K3S_TOKEN", "t");
    CliRun r =
        run(env, "hosts", "plan", "-i", inventory().toString(), "--known-hosts", empty.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.HOST);
    assertThat(r.err())
        .contains("host key is not in")
        .contains("fix:")
        .contains("--accept-new-host-keys");
  }

  @Test
  void aMissingTokenIsRefusedBeforeAnyConnection() throws Exception {
    Map<String, String> env = CliRun.env(dir);
    env.remove("K3S_TOKEN");
    CliRun r =
        run(
            env,
            "hosts",
            "up",
            "-i",
            inventory().toString(),
            "--known-hosts",
            sshd.knownHosts.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.err()).contains("environment variable K3S_TOKEN").contains("openssl rand");
  }

  @Test
  void oneStepOnOneHostWithTheKeyFromTheEnvironment() throws Exception {
    Path noKey =
        Files.writeString(
            dir.resolve("inventory-no-key.yaml"),
            """
            cluster: lab
            k3s: {token: {env: K3S_TOKEN}}
            hosts:
              - {name: box, address: 127.0.0.1, port: %d, user: root, role: server}
            """
                .formatted(sshd.port));
    Map<String, String> env = CliRun.env(dir);
    env.put("K3S_TOKEN", "t");
    env.remove("SSH_AUTH_SOCK");
    env.put(Setting.SSH_PRIVATE_KEY_ENV, Files.readString(sshd.userKey));
    String[] step = {
      "hosts",
      "step",
      "-i",
      noKey.toString(),
      "--known-hosts",
      sshd.knownHosts.toString(),
      "--host",
      "box",
      "--plan",
      "--step"
    };
    CliRun r = run(env, concat(step, "kernel-modules"));
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("box kernel-modules: ");
    CliRun unknown = run(env, concat(step, "kernel"));
    assertThat(unknown.code()).isEqualTo(ExitCodes.HOST);
    assertThat(unknown.err())
        .contains("has no step 'kernel'")
        .contains("kernel-modules")
        .contains("nodes-ready");
  }

  private static String[] concat(String[] a, String b) {
    String[] out = Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }
}
