package io.kfboot.components.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real MariaDB server for a test: its own data folder and socket under the test's temp folder, on
 * a loopback port, root reachable over TCP with a password. No systemd is needed or used.
 */
public final class MariaDb implements AutoCloseable {
  public final int port;
  public final String password;

  /** The PEM CA of the server's certificate; null without TLS. */
  public final Path caFile;

  private final Path socket;
  private final Process server;

  private MariaDb(int port, String password, Path caFile, Path socket, Process server) {
    this.port = port;
    this.password = password;
    this.caFile = caFile;
    this.socket = socket;
    this.server = server;
  }

  public static MariaDb start(Path dir, String rootPassword) throws Exception {
    return start(dir, rootPassword, false);
  }

  /**
   * A server that also offers TLS, with a self-signed certificate for 127.0.0.1 made by openssl;
   * {@link #caFile} is that certificate, the CA a client trusts.
   */
  public static MariaDb startWithTls(Path dir, String rootPassword) throws Exception {
    return start(dir, rootPassword, true);
  }

  private static MariaDb start(Path dir, String rootPassword, boolean tls) throws Exception {
    List<String> tlsArgs = new ArrayList<>();
    Path cert = dir.resolve("server-cert.pem");
    if (tls) {
      Path key = dir.resolve("server-key.pem");
      SelfSignedPem.make(cert, key, "127.0.0.1", "IP:127.0.0.1");
      tlsArgs.addAll(List.of("--ssl-cert=" + cert, "--ssl-key=" + key));
    }
    Path data = Files.createDirectories(dir.resolve("data"));
    Path socket = dir.resolve("mysqld.sock");
    run(
        List.of(
            "mariadb-install-db",
            "--no-defaults",
            "--datadir=" + data,
            "--user=root",
            "--auth-root-authentication-method=normal",
            "--skip-test-db"),
        dir.resolve("install.log"));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "/usr/sbin/mariadbd",
                "--no-defaults",
                "--datadir=" + data,
                "--socket=" + socket,
                "--port=" + port,
                "--bind-address=127.0.0.1",
                "--user=root",
                "--pid-file=" + dir.resolve("mysqld.pid"),
                "--log-error=" + dir.resolve("error.log"),
                "--skip-name-resolve"));
    command.addAll(tlsArgs);
    Process server =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile())
            .start();
    MariaDb db = new MariaDb(port, rootPassword, tls ? cert : null, socket, server);
    // up when the socket answers; bounded far above any start on a busy machine
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (true) {
      Process ping =
          new ProcessBuilder(
                  "mariadb-admin", "--no-defaults", "--socket=" + socket, "--user=root", "ping")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (ping.waitFor(60, TimeUnit.SECONDS) && ping.exitValue() == 0) {
        break;
      }
      if (!server.isAlive() || System.nanoTime() > deadline) {
        db.close();
        throw new IllegalStateException(
            "MariaDB did not start: " + Files.readString(dir.resolve("error.log")));
      }
      Thread.sleep(50);
    }
    db.sql(
        "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY"
            + " '"
            + rootPassword
            + "'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;");
    return db;
  }

  /** Runs SQL as root over the socket; its output. */
  public String sql(String statements) throws Exception {
    Process p =
        new ProcessBuilder(
                "mariadb",
                "--no-defaults",
                "--socket=" + socket,
                "--user=root",
                "--batch",
                "--skip-column-names",
                "-e",
                statements)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("SQL failed: " + out);
    }
    return out;
  }

  /** Feeds a dump file to the server, as a restore does. */
  public void load(Path dump) throws Exception {
    Process p =
        new ProcessBuilder("mariadb", "--no-defaults", "--socket=" + socket, "--user=root")
            .redirectInput(dump.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("restore failed: " + out);
    }
  }

  private static void run(List<String> argv, Path log) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(new ArrayList<>(argv))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(argv.get(0) + " failed: " + Files.readString(log));
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.destroy();
    if (!server.waitFor(60, TimeUnit.SECONDS)) {
      server.destroyForcibly().waitFor();
    }
  }
}
