package io.kfboot.cli;

import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.Restores;
import io.kfboot.platform.SettingsInput;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot restore --from DIR}: the way back from a backup. */
@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description =
        "Restore from a backup folder: its files checked against backup.json first; then with"
            + " --datastore the k3s datastore over SSH (the cluster's objects as they were, the"
            + " old release included), with --reset-database-volumes the databases' volumes"
            + " emptied (MySQL 8.0 cannot open what 8.4 wrote), the dumps loaded into their"
            + " servers, and with --bucket the saved objects put back. See docs/upgrades.md, 'The"
            + " way back'.")
final class RestoreCommand extends BaseCommand {
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.HostAccess hosts = new Options.HostAccess();
  @Mixin Options.Output output = new Options.Output();

  @Option(
      names = "--from",
      required = true,
      paramLabel = "DIR",
      description = "The backup folder ('kfboot backup' or 'kfboot upgrade' printed it).")
  Path from;

  @Option(
      names = "--datastore",
      description =
          "Put the k3s datastore back (needs --inventory): k3s stops on every server for it.")
  boolean datastore;

  @Option(names = "--skip-databases", description = "Load no database dump.")
  boolean skipDatabases;

  @Option(
      names = "--reset-database-volumes",
      description =
          "Empty each database's volumes before loading its dump (after --datastore brought back"
              + " a release whose MySQL is older than the data on its volume).")
  boolean resetVolumes;

  @Option(names = "--bucket", description = "Put the bucket's saved objects back.")
  boolean bucket;

  @Option(names = "--plan", description = "Check the backup and show what would be done.")
  boolean plan;

  RestoreCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    cluster.into(in);
    hosts.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    Restores restores = new Restores(settings, listener(settings));
    Restores.Request request =
        new Restores.Request(from, datastore, !skipDatabases, resetVolumes, bucket);
    Restores.Report report = plan ? restores.plan(request) : restores.apply(request);
    if (output.json()) {
      printJson(
          Map.of(
              "schemaVersion",
              1,
              "plan",
              plan,
              "steps",
              report.steps(),
              "release",
              report.manifest().release()));
    } else {
      print(Restores.text(report, plan).stripTrailing());
    }
    return ExitCodes.OK;
  }
}
