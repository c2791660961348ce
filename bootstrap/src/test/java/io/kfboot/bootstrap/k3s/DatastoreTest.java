package io.kfboot.bootstrap.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.host.RecordingHostOperator;
import io.kfboot.core.KfbootException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and restoring the k3s datastore, as the commands a server receives. */
class DatastoreTest {
  @TempDir Path dir;
  private final List<String> progress = new ArrayList<>();
  private final Datastore datastore = new Datastore(Duration.ofMinutes(5), progress::add);

  private static RecordingHostOperator etcdServer(String name) {
    return new RecordingHostOperator(name)
        .on("/etcd ]; then echo etcd", 0, "etcd\n")
        .on("ls -1 -- " + Datastore.DB + "/snapshots/kfboot-1", 0, "kfboot-1-" + name + "-1764\n")
        .file(Datastore.DB + "/snapshots/kfboot-1/kfboot-1-" + name + "-1764", "etcd bytes")
        .file(Datastore.SERVER_TOKEN, "K10abc::server:secret\n");
  }

  @Test
  void anEtcdSnapshotIsSavedByK3sAndComesBackWithTheTokenAs0600Files() throws Exception {
    RecordingHostOperator server = etcdServer("cp-1");

    Datastore.Snapshot s = datastore.save(server, "kfboot-1", dir);

    assertThat(s.kind()).isEqualTo(Datastore.Kind.ETCD);
    assertThat(server.commandLines())
        .anyMatch(
            l ->
                l.endsWith(
                    "k3s etcd-snapshot save --name kfboot-1 --dir "
                        + Datastore.DB
                        + "/snapshots/kfboot-1"));
    assertThat(Files.readString(s.file())).isEqualTo("etcd bytes");
    assertThat(Files.readString(s.token())).isEqualTo("K10abc::server:secret\n");
    for (Path p : List.of(s.file(), s.token())) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(p)))
          .isEqualTo("rw-------");
    }
    assertThat(String.join("\n", server.commandLines()) + progress).doesNotContain("secret");
  }

  @Test
  void sqliteIsCopiedOnlineAndTheRemoteCopyRemoved() throws Exception {
    String copy = Datastore.DB + "/kfboot-1.db";
    RecordingHostOperator server =
        new RecordingHostOperator("solo")
            .on("/etcd ]; then echo etcd", 0, "sqlite\n")
            .file(copy, "SQLite format 3")
            .file(Datastore.SERVER_TOKEN, "K10abc::server:secret\n");

    Datastore.Snapshot s = datastore.save(server, "kfboot-1", dir);

    assertThat(s.kind()).isEqualTo(Datastore.Kind.SQLITE);
    assertThat(Files.readString(s.file())).isEqualTo("SQLite format 3");
    List<String> lines = server.commandLines();
    int backup = indexOf(lines, "sqlite3 " + Datastore.DB + "/state.db '.backup " + copy + "'");
    int removed = indexOf(lines, "rm -f -- " + copy);
    assertThat(backup).isNotNegative();
    assertThat(removed).isGreaterThan(backup);
  }

  @Test
  void sqliteWithoutTheSqlite3ProgramOrNoDatastoreAtAllIsRefusedWithTheFix() {
    RecordingHostOperator noTool =
        new RecordingHostOperator("solo")
            .on("/etcd ]; then echo etcd", 0, "sqlite\n")
            .on("command -v sqlite3", 1, "");
    assertThatThrownBy(() -> datastore.save(noTool, "kfboot-1", dir))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("no sqlite3")
        .satisfies(e -> assertThat(((KfbootException) e).fix()).contains("--skip-datastore"));
    assertThat(noTool.commandLines()).noneMatch(l -> l.contains(".backup"));

    RecordingHostOperator external = new RecordingHostOperator("ext");
    assertThatThrownBy(() -> datastore.save(external, "kfboot-1", dir))
        .hasMessageContaining("external datastore");
  }

  @Test
  void anEtcdRestoreStopsEveryServerResetsTheFirstAndLetsTheOthersRejoin() throws Exception {
    RecordingHostOperator first = etcdServer("cp-1");
    RecordingHostOperator second = etcdServer("cp-2");
    Datastore.Snapshot s = datastore.save(first, "kfboot-1", dir);

    datastore.restore(s, List.<HostOperator>of(first, second), "k3s");

    List<String> one = after(first.commandLines(), "systemctl stop k3s");
    assertThat(one)
        .containsSubsequence(
            "sudo -n -- systemctl stop k3s",
            "sudo -n -- k3s server --cluster-reset --cluster-reset-restore-path="
                + Datastore.DB
                + "/kfboot-restore",
            "sudo -n -- systemctl start k3s");
    assertThat(first.files().get(Datastore.DB + "/kfboot-restore")).isNotNull();
    assertThat(first.mode(Datastore.DB + "/kfboot-restore")).isEqualTo(0600);
    assertThat(after(second.commandLines(), "systemctl stop k3s"))
        .containsSubsequence(
            "sudo -n -- systemctl stop k3s",
            "sudo -n -- rm -rf -- " + Datastore.DB,
            "sudo -n -- systemctl start k3s");
    assertThat(second.commandLines()).noneMatch(l -> l.contains("cluster-reset"));
  }

  @Test
  void aBackupTakenUnderAnotherTokenIsRefusedBeforeAnyServerStops() throws Exception {
    Datastore.Snapshot s = datastore.save(etcdServer("cp-1"), "kfboot-1", dir);
    RecordingHostOperator other =
        etcdServer("cp-1").file(Datastore.SERVER_TOKEN, "K10xyz::server:other\n");

    assertThatThrownBy(() -> datastore.restore(s, List.<HostOperator>of(other), "k3s"))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("not the one the backup was taken under")
        .hasMessageNotContaining("secret")
        .hasMessageNotContaining("other");
    assertThat(other.commandLines()).noneMatch(l -> l.contains("systemctl"));
  }

  private static int indexOf(List<String> lines, String fragment) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(fragment)) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> after(List<String> lines, String fragment) {
    int i = indexOf(lines, fragment);
    return i < 0 ? List.of() : lines.subList(i, lines.size());
  }
}
