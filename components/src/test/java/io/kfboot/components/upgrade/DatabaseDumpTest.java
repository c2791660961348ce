package io.kfboot.components.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.testing.LocalPodExec;
import io.kfboot.components.testing.MariaDb;
import io.kfboot.core.KfbootException;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upgrade's database backup against a real MariaDB: the argv kfboot runs in the MySQL pod is
 * run here, where the server listens on loopback as it does inside its pod.
 */
@Requires(Need.MARIADB)
class DatabaseDumpTest {
  @TempDir Path tmp;

  private final LocalPodExec local = new LocalPodExec();

  @Test
  @DisplayName(
      "Pipelines' databases are dumped to a 0600 file that kfboot's load puts into another server"
          + " with every row, twice over; the passwords went in on stdin, never argv")
  void dumpRestores() throws Exception {
    try (MariaDb source = MariaDb.start(Files.createDirectories(tmp.resolve("a")), "s3cret-pw");
        MariaDb restored =
            MariaDb.start(Files.createDirectories(tmp.resolve("b")), "an \"odd\" #pass")) {
      source.sql(
          "CREATE DATABASE mlpipeline; CREATE DATABASE cachedb; CREATE DATABASE metadb; CREATE"
              + " TABLE mlpipeline.run_details (UUID varchar(64) PRIMARY KEY, DisplayName"
              + " varchar(255), Conditions varchar(64)); INSERT INTO mlpipeline.run_details VALUES"
              + " ('r1','train ü','Succeeded'), ('r2','eval','Failed'); CREATE TABLE"
              + " metadb.Artifact (id int PRIMARY KEY, uri text); INSERT INTO metadb.Artifact"
              + " VALUES (1,'minio://mlpipeline/artifacts/run-1/model.bin');");
      DatabaseDump.Target pipelines =
          new DatabaseDump.Target(
              "pipelines", source.port, "root", List.of("mlpipeline", "cachedb", "metadb"));

      Path file =
          new DatabaseDump(local)
              .dump("kubeflow", "mysql-0", null, pipelines, "s3cret-pw", tmp.resolve("backup"));

      assertThat(file).hasFileName("pipelines.sql");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      assertThat(local.ran())
          .singleElement()
          .satisfies(argv -> assertThat(String.join(" ", argv)).doesNotContain("s3cret-pw"));
      // the way back: into an empty server, then again over what the first load made
      for (int i = 0; i < 2; i++) {
        new DatabaseLoad(local)
            .load("kubeflow", "mysql-0", null, restored.port, "root", "an \"odd\" #pass", file);
      }
      assertThat(local.ran()).hasSize(3);
      assertThat(local.ran().subList(1, 3))
          .allSatisfy(argv -> assertThat(String.join(" ", argv)).doesNotContain("odd"));
      assertThat(
              restored.sql(
                  "SELECT UUID, DisplayName, Conditions FROM mlpipeline.run_details ORDER BY UUID"))
          .isEqualTo("r1\ttrain ü\tSucceeded\nr2\teval\tFailed\n");
      assertThat(restored.sql("SELECT uri FROM metadb.Artifact"))
          .isEqualTo("minio://mlpipeline/artifacts/run-1/model.bin\n");
      assertThat(restored.sql("SHOW DATABASES LIKE 'cachedb'")).isEqualTo("cachedb\n");
    }
  }

  @Test
  @DisplayName(
      "a wrong password, a missing database and an unwritable backup folder each fail clearly,"
          + " leave no dump behind, and never print the password")
  void failures() throws Exception {
    try (MariaDb db = MariaDb.start(Files.createDirectories(tmp.resolve("a")), "s3cret-pw")) {
      db.sql("CREATE DATABASE katib; CREATE TABLE katib.observation_logs (id int);");
      DatabaseDump dump = new DatabaseDump(local);
      Path backup = tmp.resolve("backup");
      DatabaseDump.Target katib =
          new DatabaseDump.Target("katib", db.port, "root", List.of("katib"));

      assertThatThrownBy(
              () -> dump.dump("kubeflow", "katib-mysql-0", null, katib, "wrong-pw", backup))
          .isInstanceOfSatisfying(
              KfbootException.class,
              e -> {
                assertThat(e.getMessage())
                    .contains("exited 2")
                    .contains("Access denied")
                    .doesNotContain("wrong-pw");
                assertThat(e.fix()).contains("user and password");
              });
      assertThatThrownBy(
              () ->
                  dump.dump(
                      "kubeflow",
                      "katib-mysql-0",
                      null,
                      new DatabaseDump.Target("katib", db.port, "root", List.of("nosuchdb")),
                      "s3cret-pw",
                      backup))
          .hasMessageContaining("nosuchdb");
      try (var files = Files.list(backup)) {
        assertThat(files).isEmpty();
      }

      Path good = dump.dump("kubeflow", "katib-mysql-0", null, katib, "s3cret-pw", backup);
      DatabaseLoad load = new DatabaseLoad(local);
      assertThatThrownBy(
              () -> load.load("kubeflow", "katib-mysql-0", null, db.port, "root", "wrong-pw", good))
          .isInstanceOfSatisfying(
              KfbootException.class,
              e -> assertThat(e.getMessage()).contains("Access denied").doesNotContain("wrong-pw"));
      Path cut = tmp.resolve("cut.sql");
      byte[] whole = Files.readAllBytes(good);
      Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
      int before = local.ran().size();
      assertThatThrownBy(
              () -> load.load("kubeflow", "katib-mysql-0", null, db.port, "root", "s3cret-pw", cut))
          .hasMessageContaining("cut off");
      assertThat(local.ran()).as("a cut-off dump is not fed to the server").hasSize(before);
      Files.delete(good);

      // tests run as root, which ignores permissions: a file where the folder should be fails for
      // everyone
      Path notAFolder = Files.writeString(tmp.resolve("file"), "x");
      assertThatThrownBy(
              () -> dump.dump("kubeflow", "katib-mysql-0", null, katib, "s3cret-pw", notAFolder))
          .isInstanceOfSatisfying(
              KfbootException.class, e -> assertThat(e.fix()).contains("backup folder"));
    }
  }
}
