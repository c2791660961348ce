package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kfboot backup and kfboot restore from the command line: the paths that need no pod (a cluster
 * without Kubeflow's databases) and the bad input. The dumps, bucket and datastore themselves are
 * tested in BackupRestoreTest (platform) against real MariaDB and S3 servers.
 */
class BackupCliTest {
  @TempDir Path tmp;

  @Test
  @DisplayName(
      "a cluster without Kubeflow's databases backs up to a manifest saying so, under"
          + " XDG_STATE_HOME by default; restore plans and refuses what the backup lacks")
  void backupAndRestoreOfAnEmptyCluster() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      Map<String, String> env = CliRun.env(tmp);
      env.put("KUBECONFIG", CliRun.kubeconfig(tmp, cluster).toString());
      env.put("XDG_STATE_HOME", tmp.resolve("state").toString());

      CliRun backup = CliRun.of(env, "backup", "-o", "json");
      assertThat(backup.code()).as(backup.err()).isZero();
      JsonNode json = new ObjectMapper().readTree(backup.out());
      Path dir = Path.of(json.get("dir").asText());
      assertThat(dir).startsWith(tmp.resolve("state/kfboot/backups/sim"));
      assertThat(dir.getFileName().toString()).startsWith("unrecorded-");
      assertThat(json.get("manifest").get("databases")).isEmpty();
      Path manifest = dir.resolve("backup.json");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(manifest)))
          .isEqualTo("rw-------");

      // what the stack runs before a release change: nothing to back up on a cluster without kfboot
      Path stackDir = tmp.resolve("stack-backup");
      CliRun before =
          CliRun.of(
              env, "backup", "--before-upgrade-to", "26.03", "--backup-dir", stackDir.toString());
      assertThat(before.code()).as(before.err()).isZero();
      assertThat(before.out()).contains("no backup: kfboot has installed nothing on this cluster");
      assertThat(stackDir).doesNotExist();

      CliRun text = CliRun.of(env, "backup", "--backup-dir", tmp.resolve("b2").toString());
      assertThat(text.code()).as(text.err()).isZero();
      assertThat(text.out()).contains("no k3s datastore (give --inventory");

      CliRun nothing = CliRun.of(env, "restore", "--from", dir.toString(), "--plan");
      assertThat(nothing.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(nothing.err())
          .contains("nothing to restore")
          .contains("it holds no database dump");

      CliRun noDatastore = CliRun.of(env, "restore", "--from", dir.toString(), "--datastore");
      assertThat(noDatastore.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(noDatastore.err()).contains("holds no k3s datastore").contains("fix:");

      Files.writeString(manifest, "{not json");
      CliRun broken = CliRun.of(env, "restore", "--from", dir.toString(), "--plan");
      assertThat(broken.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(broken.err()).contains("cannot read " + manifest);

      CliRun missing = CliRun.of(env, "restore", "--from", tmp.resolve("nowhere").toString());
      assertThat(missing.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(missing.err()).contains("there is no such file");

      Path inTheWay = Files.writeString(tmp.resolve("file"), "x");
      CliRun unwritable =
          CliRun.of(env, "backup", "--backup-dir", inTheWay.resolve("sub").toString());
      assertThat(unwritable.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(unwritable.err()).contains("cannot be written").contains("--backup-dir");
    }
  }
}
