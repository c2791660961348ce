package io.kfboot.cli;

import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.UpgradePlan;
import io.kfboot.platform.Upgrades;
import io.kfboot.platform.VerifySuite;
import io.kfboot.verify.check.CheckResult;
import io.kfboot.verify.check.Reports;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot upgrade --to RELEASE --plan}: what upgrading the installed release would do. */
@Command(
    name = "upgrade",
    mixinStandardHelpOptions = true,
    description =
        "Plan the upgrade of the installed release to a newer one: per component the objects"
            + " added, changed and removed; what is kept rather than pruned (CRDs with objects,"
            + " namespaces, claims, profiles, generated secrets) with the command that would"
            + " remove it; what cannot change in place; the release pair's steps; vendor versions"
            + " passed over; the backup taken first. An upgrade kfboot does not support in one go"
            + " is refused with the supported path. Without --plan it upgrades: backup, the pair's"
            + " steps, the new release through the install engine, prune, verify; a rerun resumes.")
final class UpgradeCommand extends BaseCommand {
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.Output output = new Options.Output();
  @Mixin Options.Install tuning = new Options.Install();
  @Mixin Options.HostAccess hosts = new Options.HostAccess();
  @Mixin Options.Issuer issuer = new Options.Issuer();

  @Option(
      names = "--to",
      required = true,
      paramLabel = "RELEASE",
      description = "The release to upgrade to (e.g. 26.03); --manifests may give its source.")
  String to;

  @Option(names = "--plan", description = "Show what the upgrade would do; change nothing.")
  boolean plan;

  @Option(
      names = "--backup-dir",
      paramLabel = "DIR",
      description =
          "Where the backup goes: database dumps, bucket listing, datastore snapshot, backup.json"
              + " (default: $XDG_STATE_HOME/kfboot/backups/CLUSTER/RELEASE-TIME).")
  Path backupDir;

  @Option(
      names = "--skip-backup",
      description = "Take no backup (the databases are backed up otherwise, or are external).")
  boolean skipBackup;

  @Option(
      names = "--skip-datastore",
      description =
          "With --inventory, take no k3s datastore snapshot in the backup (the datastore is"
              + " external, or saved otherwise).")
  boolean skipDatastore;

  @Option(names = "--skip-verify", description = "Stop after the upgrade, before verify.")
  boolean skipVerify;

  UpgradeCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    release.into(in);
    cluster.into(in);
    tuning.into(in);
    hosts.into(in);
    issuer.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    Upgrades upgrades = new Upgrades(settings, listener(settings));
    if (plan) {
      UpgradePlan p = upgrades.plan(to);
      if (output.json()) {
        printJson(p.toJson());
      } else {
        print(p.toText());
      }
      return p.refusals().isEmpty() ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
    }
    Upgrades.Applied applied = upgrades.apply(to, backupDir, skipBackup, skipDatastore);
    if (applied.nothingToDo()) {
      print("the cluster holds " + to + " already: nothing to do");
      return ExitCodes.OK;
    }
    print(Upgrades.summary(applied));
    if (skipVerify) {
      return ExitCodes.OK;
    }
    VerifySuite.Options d = VerifySuite.Options.defaults();
    List<CheckResult> results =
        new VerifySuite(
                settings,
                new VerifySuite.Options(
                    d.only(), d.skip(), d.namespace(), settings.timeout(), d.poll(), 1, null),
                listener(settings))
            .run();
    print(Reports.text(results));
    return VerifySuite.passed(results) ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
  }
}
