package io.kfboot.bootstrap.k3s;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The k3s datastore of a kfboot-made cluster, saved and put back over SSH as k3s documents it
 * (https://docs.k3s.io/datastore/backup-restore, https://docs.k3s.io/cli/etcd-snapshot): embedded
 * etcd by {@code k3s etcd-snapshot save} on one server and {@code k3s server --cluster-reset
 * --cluster-reset-restore-path} on the first; SQLite by an online {@code sqlite3 .backup} of {@code
 * state.db}, which a plain copy of a database in WAL mode would not be. The server token goes with
 * either: k3s encrypts its bootstrap data with it, and a snapshot restored under another token does
 * not start.
 */
public final class Datastore {
  public static final String DB = "/var/lib/rancher/k3s/server/db";
  public static final String SERVER_TOKEN = "/var/lib/rancher/k3s/server/token";

  /** Which datastore the server runs. */
  public enum Kind {
    ETCD,
    SQLITE
  }

  /**
   * A saved datastore on this machine.
   *
   * @param host the server it was taken on
   * @param file the snapshot or database copy
   * @param token the server token it needs
   */
  public record Snapshot(Kind kind, String host, Path file, Path token) {}

  private final Duration timeout;
  private final Consumer<String> progress;

  private final String db;
  private final String serverToken;

  public Datastore(Duration timeout, Consumer<String> progress) {
    this(timeout, progress, "");
  }

  /**
   * @param root where k3s' folders are on the server: "" on a real one, a sandbox folder for the
   *     tests' sshd hosts, which share one file system
   */
  Datastore(Duration timeout, Consumer<String> progress, String root) {
    this.timeout = timeout;
    this.progress = progress;
    this.db = root + DB;
    this.serverToken = root + SERVER_TOKEN;
  }

  /** The datastore the server runs, read from its data folder. */
  public Kind kind(HostOperator server) {
    ExecResult r =
        server
            .exec(
                Command.shell(
                        "if [ -d "
                            + db
                            + "/etcd ]; then echo etcd; elif [ -f "
                            + db
                            + "/state.db ]; then echo sqlite; fi")
                    .sudo(),
                Duration.ofMinutes(1))
            .requireOk(server.name(), "looking for the k3s datastore");
    return switch (r.stdout().strip()) {
      case "etcd" -> Kind.ETCD;
      case "sqlite" -> Kind.SQLITE;
      default ->
          throw new KfbootException(
              server.name()
                  + " has neither embedded etcd nor SQLite under "
                  + db
                  + ": k3s there keeps its state elsewhere (an external datastore) or is not a"
                  + " server",
              "back up an external datastore with its own tools and give --skip-datastore",
              ExitCategory.UNEXPECTED_STATE);
    };
  }

  /**
   * Saves the datastore of {@code server} into {@code dir} as {@code name}; the remote copy an
   * SQLite backup needs is removed after, an etcd snapshot stays where k3s lists its snapshots.
   */
  public Snapshot save(HostOperator server, String name, Path dir) {
    Kind kind = kind(server);
    Path token = dir.resolve("k3s-server-token");
    return switch (kind) {
      case ETCD -> {
        String remoteDir = db + "/snapshots/" + name;
        progress.accept(server.name() + ": k3s etcd-snapshot save");
        server
            .exec(
                Command.of("k3s", "etcd-snapshot", "save", "--name", name, "--dir", remoteDir)
                    .sudo(),
                timeout)
            .requireOk(server.name(), "k3s etcd-snapshot save");
        // k3s appends the node's name and the time to the name; the folder holds only this one
        List<String> files =
            server
                .exec(Command.of("ls", "-1", "--", remoteDir).sudo(), Duration.ofMinutes(1))
                .requireOk(server.name(), "listing " + remoteDir)
                .stdout()
                .lines()
                .filter(l -> !l.isBlank())
                .toList();
        if (files.size() != 1) {
          throw new KfbootException(
              "k3s etcd-snapshot save left " + files.size() + " files in " + remoteDir,
              "look at 'k3s etcd-snapshot ls' on " + server.name() + " and rerun the backup",
              ExitCategory.UNEXPECTED_STATE);
        }
        Path file = dir.resolve("etcd-snapshot");
        server.download(remoteDir + "/" + files.get(0), file, timeout);
        server.download(serverToken, token, Duration.ofMinutes(1));
        yield new Snapshot(kind, server.name(), file, token);
      }
      case SQLITE -> {
        if (!server.exec(Command.shell("command -v sqlite3"), Duration.ofMinutes(1)).ok()) {
          throw new KfbootException(
              server.name()
                  + " runs k3s on SQLite but has no sqlite3, which an online copy of state.db"
                  + " needs (a plain copy of a database in use may be torn)",
              "install it on "
                  + server.name()
                  + " (apt-get install sqlite3 / dnf install sqlite), or give --skip-datastore",
              ExitCategory.UNEXPECTED_STATE);
        }
        String copy = db + "/" + name + ".db";
        progress.accept(server.name() + ": sqlite3 .backup of state.db");
        server
            .exec(Command.of("sqlite3", db + "/state.db", ".backup " + copy).sudo(), timeout)
            .requireOk(server.name(), "sqlite3 .backup of state.db");
        Path file = dir.resolve("state.db");
        try {
          server.download(copy, file, timeout);
        } finally {
          server.exec(Command.of("rm", "-f", "--", copy).sudo(), Duration.ofMinutes(1));
        }
        server.download(serverToken, token, Duration.ofMinutes(1));
        yield new Snapshot(kind, server.name(), file, token);
      }
    };
  }

  /**
   * Puts a saved datastore back: k3s stopped on every server, the snapshot restored on the first
   * (etcd: {@code --cluster-reset}, which makes it a one-member cluster; SQLite: state.db
   * replaced), the other servers' etcd data removed so that they join it again, then k3s started,
   * the first server before the others. Agents keep running: they reconnect.
   *
   * @param servers the cluster's servers, the one that initialised it first
   * @param service the k3s unit on servers ("k3s")
   */
  public void restore(Snapshot snapshot, List<HostOperator> servers, String service) {
    HostOperator first = servers.get(0);
    Kind running = kind(first);
    if (running != snapshot.kind()) {
      throw new KfbootException(
          "the backup holds a "
              + snapshot.kind()
              + " datastore, "
              + first.name()
              + " runs "
              + running,
          "restore onto the cluster the backup was taken from",
          ExitCategory.INVALID_INPUT);
    }
    String token = new String(first.read(serverToken), StandardCharsets.UTF_8);
    String saved;
    try {
      saved = Files.readString(snapshot.token());
    } catch (IOException e) {
      throw new KfbootException(
          "cannot read the backup's server token " + snapshot.token() + ": " + e.getMessage(),
          "give the whole backup folder",
          ExitCategory.INVALID_INPUT,
          e);
    }
    if (!token.strip().equals(saved.strip())) {
      // never printed: both are secrets
      throw new KfbootException(
          "the cluster's server token is not the one the backup was taken under, so k3s could"
              + " not decrypt the restored bootstrap data",
          "restore onto the cluster the backup was taken from, or put the backup's"
              + " k3s-server-token in place first (docs.k3s.io/datastore/backup-restore)",
          ExitCategory.INVALID_INPUT);
    }
    for (HostOperator s : servers) {
      progress.accept(s.name() + ": stopping " + service);
      s.exec(Command.of("systemctl", "stop", service).sudo(), timeout)
          .requireOk(s.name(), "stopping " + service);
    }
    String staged = db + "/kfboot-restore";
    first.upload(snapshot.file(), staged, 0600, null);
    switch (snapshot.kind()) {
      case ETCD -> {
        progress.accept(first.name() + ": k3s server --cluster-reset from the snapshot");
        // k3s reads its token from config.yaml's token-file; the reset exits once done
        first
            .exec(
                Command.of(
                        "k3s",
                        "server",
                        "--cluster-reset",
                        "--cluster-reset-restore-path=" + staged)
                    .sudo(),
                timeout)
            .requireOk(first.name(), "k3s server --cluster-reset");
        first.exec(Command.of("rm", "-f", "--", staged).sudo(), Duration.ofMinutes(1));
      }
      case SQLITE -> {
        progress.accept(first.name() + ": state.db replaced");
        first
            .exec(
                Command.shell(
                        "set -e; rm -f "
                            + db
                            + "/state.db-wal "
                            + db
                            + "/state.db-shm; mv -f "
                            + staged
                            + " "
                            + db
                            + "/state.db")
                    .sudo(),
                Duration.ofMinutes(1))
            .requireOk(first.name(), "replacing state.db");
      }
    }
    for (HostOperator s : servers.subList(1, servers.size())) {
      // https://docs.k3s.io/datastore/backup-restore: the other servers rejoin with empty etcd
      s.exec(Command.of("rm", "-rf", "--", db).sudo(), Duration.ofMinutes(1))
          .requireOk(s.name(), "removing " + db);
    }
    for (HostOperator s : servers) {
      progress.accept(s.name() + ": starting " + service);
      s.exec(Command.of("systemctl", "start", service).sudo(), timeout)
          .requireOk(s.name(), "starting " + service);
    }
  }
}
