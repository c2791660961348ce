package io.kfboot.cli;

import io.kfboot.platform.BackupManifest;
import io.kfboot.platform.Backups;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot backup}: the backup an upgrade takes, alone. */
@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description =
        "Back up a cluster, as 'kfboot upgrade' does before any change: a mysqldump of Pipelines'"
            + " and Katib's databases from their pods, the listing of the pipelines bucket (and its"
            + " objects with --with-objects), and with --inventory the k3s datastore (etcd snapshot"
            + " or an online copy of state.db) and its server token. Everything goes into one"
            + " folder of 0600 files with backup.json, which 'kfboot restore --from' reads.")
final class BackupCommand extends BaseCommand {
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.HostAccess hosts = new Options.HostAccess();
  @Mixin Options.Output output = new Options.Output();

  @Option(
      names = "--backup-dir",
      paramLabel = "DIR",
      description =
          "Where the backup goes (default: $XDG_STATE_HOME/kfboot/backups/CLUSTER/RELEASE-TIME).")
  Path backupDir;

  @Option(
      names = "--with-objects",
      description = "Copy every object of the bucket too, not only its listing.")
  boolean withObjects;

  @Option(
      names = "--skip-datastore",
      description = "With --inventory, save no k3s datastore (it is external, or saved otherwise).")
  boolean skipDatastore;

  @Option(
      names = "--before-upgrade-to",
      paramLabel = "RELEASE",
      description =
          "Back up only if the cluster holds a release kfboot installed other than RELEASE (what"
              + " the Pulumi stack runs before it changes a cluster's release); else do nothing.")
  String beforeUpgradeTo;

  BackupCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    cluster.into(in);
    hosts.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    Backups.Taken taken =
        Backups.ofCluster(
            settings, listener(settings), backupDir, withObjects, !skipDatastore, beforeUpgradeTo);
    if (taken.skipped() != null) {
      print("no backup: " + taken.skipped() + ", so nothing is upgraded");
      return ExitCodes.OK;
    }
    BackupManifest m = taken.manifest();
    Path dir = taken.dir();
    if (output.json()) {
      printJson(Map.of("schemaVersion", 1, "dir", dir.toString(), "manifest", m));
    } else {
      StringBuilder b =
          new StringBuilder(
              "backup of " + m.cluster() + " at " + m.release() + " in " + dir + "\n");
      m.databases()
          .forEach(
              d ->
                  b.append("  ")
                      .append(d.file())
                      .append(": ")
                      .append(String.join(", ", d.databases()))
                      .append('\n'));
      m.buckets()
          .forEach(
              x ->
                  b.append("  ")
                      .append(x.file())
                      .append(": bucket ")
                      .append(x.bucket())
                      .append(", ")
                      .append(x.objects())
                      .append(" objects, ")
                      .append(x.bytes())
                      .append(" bytes")
                      .append(x.copied() ? ", copied" : ", listed")
                      .append('\n'));
      if (m.datastore() != null) {
        b.append("  ")
            .append(m.datastore().file())
            .append(": k3s ")
            .append(m.datastore().kind().toLowerCase())
            .append(" datastore of ")
            .append(m.datastore().host())
            .append(", with its server token\n");
      } else {
        b.append("  no k3s datastore (give --inventory for a cluster kfboot made over SSH)\n");
      }
      print(b.toString().stripTrailing());
    }
    return ExitCodes.OK;
  }
}
