package io.kfboot.bootstrap.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.k3s.K3sConfig;
import io.kfboot.bootstrap.ssh.SshHostOperator;
import io.kfboot.bootstrap.ssh.SshTarget;
import io.kfboot.bootstrap.steps.StepRunner.Result;
import io.kfboot.bootstrap.steps.StepRunner.Status;
import io.kfboot.bootstrap.testing.Sshd;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The steps' real commands over real SSH on this machine. Steps that would change the machine
 * (swap, modules, sysctl, k3s) only run their checks here; the k3s files are written under a
 * sandbox root in a temp folder.
 */
@Requires(Need.SSHD)
class SshStepsTest {
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

  private HostContext host(Inventory inv, String root) {
    SshHostOperator op =
        new SshHostOperator(
            new SshTarget(
                "local-sshd",
                "127.0.0.1",
                sshd.port,
                Sshd.user(),
                sshd.userKey,
                null,
                sshd.knownHosts,
                false,
                Duration.ofSeconds(5),
                Duration.ofSeconds(5)),
            w -> {});
    return new HostContext(op, inv.servers().get(0), inv, Duration.ofSeconds(30), root);
  }

  private Inventory inventory() throws IOException {
    Files.writeString(dir.resolve("mirror-ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n");
    Files.writeString(dir.resolve("client-key.pem"), "-----BEGIN PRIVATE KEY-----\nMIIE\n");
    Files.writeString(dir.resolve("client.pem"), "-----BEGIN CERTIFICATE-----\nMIIC\n");
    for (String f : List.of("k3s", "k3s-airgap-images-amd64.tar.zst", "install.sh")) {
      Files.writeString(dir.resolve(f), f);
    }
    Files.writeString(dir.resolve("kubeflow-images.tar"), "the site's images");
    return InventoryLoader.parse(
        """
        cluster: lab
        k3s: {token: {env: K3S_TOKEN}}
        registries:
          mirrors: {docker.io: [https://mirror.lab.example]}
          tls:
            mirror.lab.example: {caFile: mirror-ca.pem, certFile: client.pem, keyFile: client-key.pem}
        airgap:
          k3sBinary: k3s
          images: k3s-airgap-images-amd64.tar.zst
          installScript: install.sh
          imageArchives: [kubeflow-images.tar]
        hosts: [{name: box, address: 127.0.0.1, role: server, user: root}]
        """,
        "inventory.yaml",
        dir);
  }

  @Test
  void theChecksRunOnARealHostAndOnlyLook() throws Exception {
    HostContext h = host(inventory(), "");
    List<Result> plan = StepRunner.run(h, HostSteps.prepare(), true, r -> {});
    assertThat(plan)
        .extracting(Result::step)
        .containsExactly(
            "preflight", "network", "packages", "swap-off", "kernel-modules", "sysctl", "docker");
    assertThat(plan).allMatch(r -> r.status() == Status.OK || r.status() == Status.WOULD_CHANGE);
    assertThat(plan.get(0).detail())
        .as("facts read from the real machine")
        .matches("arch \\S+, \\d+ CPUs|.*(CPUs|memory|free|systemd|architecture).*");
    Process p = new ProcessBuilder("sysctl", "-n", "fs.inotify.max_user_watches").start();
    String watches = new String(p.getInputStream().readAllBytes()).trim();
    if (p.waitFor() == 0 && !watches.equals("1255360")) {
      assertThat(plan.get(5).detail())
          .as("the live value, read over SSH")
          .contains("fs.inotify.max_user_watches " + watches + " -> 1255360");
    }
    h.operator().close();
  }

  @Test
  void k3sFilesAreWrittenPrivatelyUnderASandboxRootAndASecondRunIsSatisfied() throws Exception {
    Path root = dir.resolve("sandbox");
    Files.createDirectories(root);
    Inventory inv = inventory();
    HostContext h = host(inv, root.toString());
    List<Step> steps = HostSteps.k3sFiles("K10-token", true, "https://127.0.0.1:6443", Map.of());
    assertThat(StepRunner.run(h, steps, false, r -> {}))
        .extracting(Result::status)
        .containsOnly(Status.CHANGED);
    Path config = root.resolve(K3sConfig.PATH.substring(1));
    assertThat(Files.readString(config)).contains("node-name: box");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(root.resolve(K3sConfig.TOKEN_FILE.substring(1))))
        .isEqualTo("K10-token\n");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve(K3sConfig.TOKEN_FILE.substring(1)))))
        .isEqualTo("rw-------");
    assertThat(Files.readString(root.resolve(K3sConfig.REGISTRIES_PATH.substring(1))))
        .contains("mirror.lab.example")
        .contains("ca_file: " + K3sConfig.REGISTRY_TLS_DIR + "/mirror.lab.example/ca.crt");
    Path tls = root.resolve(K3sConfig.REGISTRY_TLS_DIR.substring(1)).resolve("mirror.lab.example");
    assertThat(tls.resolve("ca.crt")).hasContent("-----BEGIN CERTIFICATE-----\nMIIB");
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("client.key"))))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve("ca.crt"))))
        .isEqualTo("rw-r--r--");
    Path archive = root.resolve("var/lib/rancher/k3s/agent/images/kubeflow-images.tar");
    assertThat(archive).hasContent("the site's images");
    assertThat(StepRunner.run(h, steps, false, r -> {}))
        .extracting(Result::status)
        .containsOnly(Status.OK);
    // an archive rebuilt under the same name is copied again
    Files.writeString(dir.resolve("kubeflow-images.tar"), "the site's images, rebuilt");
    assertThat(StepRunner.run(h, steps, false, r -> {}))
        .filteredOn(r -> r.status() != Status.OK)
        .extracting(Result::step)
        .containsExactly("k3s-image-archives");
    assertThat(archive).hasContent("the site's images, rebuilt");
    h.operator().close();
  }
}
