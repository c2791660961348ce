package io.kfboot.bootstrap.testing;

import io.kfboot.testing.Skips;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A real OpenSSH sshd on a loopback port, with throwaway host and user keys in a temp folder. It
 * runs as the current user (root here and in CI), logs in that user, and serves SFTP. Tests that
 * need it are skipped, with the reason printed, where sshd or root is missing.
 */
public final class Sshd implements AutoCloseable {
  static final Path SSHD = Path.of("/usr/sbin/sshd");

  public final Path dir;

  /** Where it listens: 127.0.0.1, or the namespace's own address. */
  public final String address;

  public final int port;
  public final Path userKey;
  public final Path knownHosts;
  public final String hostKeyLine;
  private final Process process;
  private final String namespace;

  private Sshd(
      Path dir,
      String address,
      int port,
      Path userKey,
      Path knownHosts,
      String hostKeyLine,
      Process process,
      String namespace) {
    this.dir = dir;
    this.address = address;
    this.namespace = namespace;
    this.port = port;
    this.userKey = userKey;
    this.knownHosts = knownHosts;
    this.hostKeyLine = hostKeyLine;
    this.process = process;
  }

  public static String user() {
    return System.getProperty("user.name");
  }

  public static Sshd start(Path dir) throws Exception {
    return start(dir, -1, List.of());
  }

  /**
   * An sshd in its own network namespace with its own address (10.214.N.2, reached through a veth
   * pair), like a separate host; on loopback where namespaces cannot be made.
   */
  public static Sshd startHost(Path dir, int n) throws Exception {
    return start(dir, n, List.of());
  }

  /**
   * As {@link #startHost(Path, int)}, with more sshd_config lines, e.g. {@code SetEnv PATH=...} to
   * put a host's own stub commands first.
   */
  public static Sshd startHost(Path dir, int n, List<String> extraConfig) throws Exception {
    return start(dir, n, extraConfig);
  }

  private static boolean run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor() == 0;
  }

  /**
   * Removes host {@code n}'s namespace and veth left by a test run that was killed (their names
   * carry another process's tag): a second host-side link with the same subnet would take the
   * route, and the next run would reach the old sshd, whose host key it does not know. Test runs on
   * one machine take these addresses one at a time.
   */
  private static void removeLeftovers(int n, String own) throws Exception {
    Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String names = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    list.waitFor();
    for (String line : names.lines().toList()) {
      String name = line.split("\\s+")[0];
      if (name.startsWith("kfb") && name.endsWith("x" + n) && !name.equals(own)) {
        Process pids = new ProcessBuilder("ip", "netns", "pids", name).start();
        String ids = new String(pids.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        pids.waitFor();
        for (String pid : ids.split("\\s+")) {
          if (!pid.isBlank()) {
            ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
          }
        }
        run("ip", "netns", "del", name);
        run("ip", "link", "del", "kv" + name.substring("kfb".length()));
      }
    }
  }

  private static Sshd start(Path dir, int n, List<String> extraConfig) throws Exception {
    String reason = null;
    if (!Files.isExecutable(SSHD)) {
      reason = "no " + SSHD + " (apt-get install openssh-server; .ci/run does)";
    } else if (!"root".equals(user())) {
      reason = "sshd needs root to log a user in; running as " + user();
    }
    if (reason != null) {
      Skips.unavailable(true, reason);
    }
    Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
    keygen("ed25519", dir.resolve("host_key"));
    Path userKey = dir.resolve("id_ecdsa");
    keygen("ecdsa", userKey); // JSch reads ECDSA keys in PEM; it cannot write ED25519 ones
    Files.copy(dir.resolve("id_ecdsa.pub"), dir.resolve("authorized_keys"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String address = "127.0.0.1";
    String ns = null;
    if (n >= 0) {
      String tag = Long.toString(ProcessHandle.current().pid() % 10000) + "x" + n;
      String candidate = "kfb" + tag;
      String hostSide = "kv" + tag;
      String nsSide = "kn" + tag;
      String net = "10.214." + n + ".";
      removeLeftovers(n, candidate);
      if (run("ip", "netns", "add", candidate)
          && run("ip", "link", "add", hostSide, "type", "veth", "peer", "name", nsSide)
          && run("ip", "link", "set", nsSide, "netns", candidate)
          && run("ip", "addr", "add", net + "1/30", "dev", hostSide)
          && run("ip", "link", "set", hostSide, "up")
          && run("ip", "netns", "exec", candidate, "ip", "addr", "add", net + "2/30", "dev", nsSide)
          && run("ip", "netns", "exec", candidate, "ip", "link", "set", nsSide, "up")
          && run("ip", "netns", "exec", candidate, "ip", "link", "set", "lo", "up")) {
        ns = candidate;
        address = net + "2";
        port = 22;
      } else {
        run("ip", "netns", "del", candidate);
        run("ip", "link", "del", hostSide);
      }
    }
    Path config = dir.resolve("sshd_config");
    Files.writeString(
        config,
        String.join(
            "\n",
            "Port " + port,
            "ListenAddress " + address,
            "HostKey " + dir.resolve("host_key"),
            "PidFile " + dir.resolve("sshd.pid"),
            "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "StrictModes no",
            "UsePAM no",
            "Subsystem sftp internal-sftp",
            "LogLevel ERROR",
            String.join("\n", extraConfig),
            ""));
    List<String> cmd = new ArrayList<>();
    if (ns != null) {
      cmd.addAll(List.of("ip", "netns", "exec", ns));
    }
    if (n >= 0 && run("unshare", "--uts", "true")) {
      // its own hostname too, as a separate machine has (kfboot refuses hosts that share one)
      cmd.addAll(
          List.of(
              "unshare",
              "--uts",
              "sh",
              "-c",
              "hostname sshd-host-" + n + " && exec \"$0\" \"$@\""));
    }
    cmd.addAll(List.of(SSHD.toString(), "-D", "-e", "-f", config.toString()));
    Process p =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("sshd.log").toFile())
            .start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      try (Socket s = new Socket(address, port)) {
        break;
      } catch (IOException e) {
        if (!p.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
        }
        Thread.sleep(20);
      }
    }
    String[] pub = Files.readString(dir.resolve("host_key.pub")).trim().split(" ");
    String line =
        (port == 22 ? address : "[" + address + "]:" + port) + " " + pub[0] + " " + pub[1];
    Path knownHosts = dir.resolve("known_hosts");
    Files.writeString(knownHosts, line + "\n");
    return new Sshd(dir, address, port, userKey, knownHosts, line, p, ns);
  }

  /** A key pair ("ecdsa" or "ed25519") that is not authorized anywhere. */
  public static Path strayKey(Path dir, String type) throws Exception {
    Files.createDirectories(dir);
    Path k = dir.resolve("stray_" + type);
    keygen(type, k);
    return k;
  }

  private static void keygen(String type, Path file) throws Exception {
    List<String> cmd =
        type.equals("ecdsa")
            ? List.of(
                "ssh-keygen",
                "-q",
                "-t",
                "ecdsa",
                "-b",
                "256",
                "-m",
                "PEM",
                "-N",
                "",
                "-f",
                file.toString())
            : List.of("ssh-keygen", "-q", "-t", type, "-N", "", "-f", file.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException("ssh-keygen failed: " + out);
    }
  }

  /**
   * The per-connection sshd processes (children of the listener), to kill a session mid-command.
   */
  public List<ProcessHandle> sessions() {
    return process.toHandle().descendants().toList();
  }

  @Override
  public void close() {
    process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    if (namespace != null) {
      try {
        process.waitFor();
        run("ip", "netns", "del", namespace);
        run("ip", "link", "del", "kv" + namespace.substring(3));
      } catch (Exception e) {
        // best effort: a leftover namespace goes with the machine
      }
    }
  }
}
