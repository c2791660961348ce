package io.kfboot.bootstrap.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.testing.Sshd;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSch transport against a real OpenSSH sshd. */
@Requires(Need.SSHD)
class SshHostOperatorTest {
  @TempDir static Path dir;
  static Sshd sshd;
  final List<String> warnings = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startSshd() throws Exception {
    sshd = Sshd.start(dir);
  }

  @AfterAll
  static void stopSshd() {
    if (sshd != null) {
      sshd.close();
    }
  }

  private SshHostOperator host(Path key, Path knownHosts, boolean acceptNew) {
    return new SshHostOperator(
        new SshTarget(
            "node-1",
            "127.0.0.1",
            sshd.port,
            Sshd.user(),
            key,
            null,
            knownHosts,
            acceptNew,
            Duration.ofSeconds(5),
            Duration.ofSeconds(2)),
        warnings::add);
  }

  private SshHostOperator host() {
    return host(sshd.userKey, sshd.knownHosts, false);
  }

  @Test
  void exitCodesStdoutAndStderrComeBack() {
    try (SshHostOperator h = host()) {
      ExecResult r =
          h.exec(Command.shell("echo out; echo err >&2; exit 3"), Duration.ofSeconds(10));
      assertThat(r.exitCode()).isEqualTo(3);
      assertThat(r.stdout()).isEqualTo("out\n");
      assertThat(r.stderr()).isEqualTo("err\n");
      assertThatThrownBy(() -> r.requireOk("node-1", "the probe"))
          .isInstanceOf(HostException.class)
          .hasMessageContaining("exited 3: err");
    }
  }

  @Test
  void argumentsArriveExactlyAndSecretsGoOnStdin() {
    try (SshHostOperator h = host()) {
      List<String> words = List.of("two words", "it's", "$HOME", "`id`", "a;b", "");
      ExecResult r =
          h.exec(
              Command.of("printf", "[%s]").arg(words.toArray(String[]::new)),
              Duration.ofSeconds(10));
      assertThat(r.stdout()).isEqualTo("[two words][it's][$HOME][`id`][a;b][]");
      ExecResult cat =
          h.exec(Command.of("cat").withSecretStdin("K10token::server:abc"), Duration.ofSeconds(10));
      assertThat(cat.stdout()).isEqualTo("K10token::server:abc");
    }
  }

  @Test
  void uploadsLandAtomicallyWithTheirMode() throws Exception {
    Path target = dir.resolve("etc/rancher/k3s/config.yaml");
    try (SshHostOperator h = host()) {
      h.upload(
          "write-kubeconfig-mode: \"0600\"\n".getBytes(StandardCharsets.UTF_8),
          target.toString(),
          0600,
          "root:root");
      assertThat(Files.readString(target)).isEqualTo("write-kubeconfig-mode: \"0600\"\n");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
          .isEqualTo("rw-------");
      h.upload("x: 1\n".getBytes(StandardCharsets.UTF_8), target.toString(), 0644, null);
      assertThat(Files.readString(target)).isEqualTo("x: 1\n");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
          .isEqualTo("rw-r--r--");
      assertThat(new String(h.read(target.toString()), StandardCharsets.UTF_8)).isEqualTo("x: 1\n");
      try (var leftovers = Files.list(target.getParent())) {
        assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactly("config.yaml");
      }
    }
  }

  @Test
  void downloadsStreamBinaryFilesWholeInto0600FilesAndAMissingOneLeavesNothing() throws Exception {
    // not UTF-8 text, and larger than any one SSH window: a datastore snapshot's shape
    byte[] snapshot = new byte[5 * 1024 * 1024 + 17];
    new Random(7).nextBytes(snapshot);
    Path remote = dir.resolve("var/lib/rancher/k3s/server/db/snapshots/kfboot-1");
    Files.createDirectories(remote.getParent());
    Files.write(remote, snapshot);
    Path local = dir.resolve("backup/etcd-snapshot");
    try (SshHostOperator h = host()) {
      assertThat(h.download(remote.toString(), local, Duration.ofMinutes(1)))
          .isEqualTo(snapshot.length);
      assertThat(Files.readAllBytes(local)).isEqualTo(snapshot);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(local)))
          .isEqualTo("rw-------");
      assertThat(h.read(remote.toString())).isEqualTo(snapshot);

      Path absent = dir.resolve("backup/absent");
      assertThatThrownBy(
              () ->
                  h.download(dir.resolve("no/such/file").toString(), absent, Duration.ofMinutes(1)))
          .isInstanceOf(HostException.class)
          .hasMessageContaining("reading " + dir.resolve("no/such/file"))
          .hasMessageContaining("No such file");
      try (var left = Files.list(local.getParent())) {
        assertThat(left.map(p -> p.getFileName().toString())).containsExactly("etcd-snapshot");
      }
    }
  }

  @Test
  void anUnknownHostKeyIsRefusedUnlessNewKeysAreAcceptedAndThenRecorded() throws Exception {
    Path empty = dir.resolve("empty_known_hosts");
    Files.writeString(empty, "");
    try (SshHostOperator h = host(sshd.userKey, empty, false)) {
      assertThatThrownBy(() -> h.exec(Command.of("true"), Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(
              HostException.class,
              e -> {
                assertThat(e.getMessage()).contains("host key is not in");
                assertThat(e.fix()).contains("--accept-new-host-keys");
                assertThat(e.isTransient()).isFalse();
              });
    }
    assertThat(Files.readString(empty)).isEmpty();
    try (SshHostOperator h = host(sshd.userKey, empty, true)) {
      assertThat(h.exec(Command.of("true"), Duration.ofSeconds(5)).ok()).isTrue();
    }
    assertThat(Files.readString(empty)).contains("[127.0.0.1]:" + sshd.port);
    assertThat(warnings)
        .singleElement()
        .asString()
        .startsWith("WARNING: node-1: accepted the unknown host key");
  }

  @Test
  void aChangedHostKeyIsAlwaysRefused() throws Exception {
    // another key of the same type as the host's: what a reinstalled host, or an impostor, shows
    Path other = Sshd.strayKey(dir.resolve("other"), "ed25519");
    String[] pub = Files.readString(Path.of(other + ".pub")).trim().split(" ");
    Path changed = dir.resolve("changed_known_hosts");
    Files.writeString(changed, "[127.0.0.1]:" + sshd.port + " " + pub[0] + " " + pub[1] + "\n");
    try (SshHostOperator h = host(sshd.userKey, changed, true)) {
      assertThatThrownBy(() -> h.exec(Command.of("true"), Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(
              HostException.class,
              e -> {
                assertThat(e.getMessage()).contains("CHANGED");
                assertThat(e.fix()).contains("ssh-keygen -R");
              });
    }
    assertThat(warnings).isEmpty();
  }

  @Test
  void aKeyTheHostDoesNotAcceptFailsAuthentication() throws Exception {
    Path stray = Sshd.strayKey(dir.resolve("stray"), "ecdsa");
    try (SshHostOperator h = host(stray, sshd.knownHosts, false)) {
      assertThatThrownBy(() -> h.exec(Command.of("true"), Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(
              HostException.class,
              e -> {
                assertThat(e.getMessage())
                    .contains("authentication failed for user " + Sshd.user());
                assertThat(e.isTransient()).isFalse();
              });
    }
  }

  @Test
  void aCommandThatOverrunsItsTimeoutIsStopped() {
    try (SshHostOperator h = host()) {
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> h.exec(Command.of("sleep", "600"), Duration.ofMillis(500)))
          .isInstanceOf(HostException.class)
          .hasMessageContaining("did not finish within");
      // far from both ends, so that load cannot decide it: 0.5 s asked, 600 s if not stopped
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMinutes(2));
    }
  }

  @Test
  void aConnectionDroppedMidCommandIsATransientFailure() throws Exception {
    try (SshHostOperator h = host()) {
      h.exec(Command.of("true"), Duration.ofSeconds(5)); // connected
      CompletableFuture<ExecResult> running =
          CompletableFuture.supplyAsync(
              () -> h.exec(Command.of("sleep", "20"), Duration.ofSeconds(30)));
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (sshd.sessions().stream()
              .noneMatch(p -> p.info().command().orElse("").endsWith("sleep"))
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      sshd.sessions().forEach(ProcessHandle::destroyForcibly); // the session's sshd and its shell
      assertThatThrownBy(running::join)
          .hasCauseInstanceOf(HostException.class)
          .cause()
          .satisfies(
              e -> assertThat(((HostException) e).isTransient()).as(e.getMessage()).isTrue());
    }
  }

  @Test
  void aHostThatDoesNotListenIsATransientConnectFailure() throws Exception {
    int closed = closedPort();
    try (SshHostOperator h = onClosedPort(closed)) {
      assertThatThrownBy(() -> h.exec(Command.of("true"), Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(
              HostException.class,
              e -> {
                assertThat(e.getMessage())
                    .startsWith("node-9: connecting to root@[127.0.0.1]:" + closed);
                assertThat(e.isTransient()).isTrue();
              });
    }
  }

  @Test
  void aKeyFromTheEnvironmentIsUsedFromMemory() throws Exception {
    SshTarget t =
        new SshTarget(
            "node-1",
            "127.0.0.1",
            sshd.port,
            Sshd.user(),
            null,
            new SshTarget.PrivateKey(Files.readAllBytes(sshd.userKey)),
            null,
            sshd.knownHosts,
            false,
            Duration.ofSeconds(5),
            Duration.ofSeconds(2));
    assertThat(t.toString()).doesNotContain("BEGIN").contains("PrivateKey[redacted]");
    try (SshHostOperator h = new SshHostOperator(t, warnings::add)) {
      assertThat(h.exec(Command.of("true"), Duration.ofSeconds(5)).ok()).isTrue();
    }
  }

  @Test
  void newKeysOfManyConnectionsAtOnceAreRecordedOnceEachInAFileMadeOnlyThen() throws Exception {
    Path known = dir.resolve("fresh-home/.ssh/known_hosts");
    List<CompletableFuture<Boolean>> runs = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      runs.add(
          CompletableFuture.supplyAsync(
              () -> {
                try (SshHostOperator h = host(sshd.userKey, known, true)) {
                  return h.exec(Command.of("true"), Duration.ofSeconds(10)).ok();
                }
              }));
    }
    for (CompletableFuture<Boolean> r : runs) {
      assertThat(r.join()).isTrue();
    }
    assertThat(Files.readAllLines(known))
        .singleElement()
        .asString()
        .startsWith("[127.0.0.1]:" + sshd.port + " ");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(known)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(known.getParent())))
        .isEqualTo("rwx------");
  }

  @Test
  void aConnectionThatFailsCreatesNoKnownHostsFileOrFolder() throws Exception {
    Path stray = Sshd.strayKey(dir.resolve("stray-2"), "ecdsa");
    Path known = dir.resolve("never-made/.ssh/known_hosts");
    try (SshHostOperator h = host(stray, known, true)) {
      assertThatThrownBy(() -> h.exec(Command.of("true"), Duration.ofSeconds(5)))
          .isInstanceOf(HostException.class)
          .hasMessageContaining("authentication failed");
    }
    assertThat(dir.resolve("never-made")).doesNotExist();
    assertThat(warnings).isEmpty();
  }

  @Test
  void connectionRefusedAndAKeyPathThatIsAFolderSayWhatIsWrong() throws Exception {
    int closed = closedPort();
    try (SshHostOperator h = onClosedPort(closed)) {
      assertThatThrownBy(() -> h.exec(Command.of("true"), Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(
              HostException.class,
              e -> {
                assertThat(e.getMessage())
                    .contains("connection refused on port " + closed)
                    .doesNotContain("java.net");
                assertThat(e.fix()).contains("start sshd");
              });
    }
    Path folder = Files.createDirectories(dir.resolve("keys-folder"));
    try (SshHostOperator h = host(folder, sshd.knownHosts, false)) {
      assertThatThrownBy(() -> h.exec(Command.of("true"), Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(
              HostException.class,
              e -> {
                assertThat(e.getMessage()).contains("key file " + folder + " is a directory");
                assertThat(e.fix()).contains("private key file inside it");
              });
    }
  }

  /** A loopback port nothing listens on. */
  private static int closedPort() throws IOException {
    try (var s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Host node-9 as root on {@code port} of loopback, where no sshd listens. */
  private SshHostOperator onClosedPort(int port) {
    return new SshHostOperator(
        new SshTarget(
            "node-9",
            "127.0.0.1",
            port,
            "root",
            sshd.userKey,
            null,
            sshd.knownHosts,
            false,
            Duration.ofSeconds(2),
            Duration.ofSeconds(2)),
        warnings::add);
  }
}
