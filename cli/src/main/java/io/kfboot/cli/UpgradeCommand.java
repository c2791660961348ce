package io.kfboot.cli;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.UpgradePlan;
import io.kfboot.platform.Upgrades;
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
            + " is refused with the supported path. Read-only: only --plan is in this version.")
final class UpgradeCommand extends BaseCommand {
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.Output output = new Options.Output();

  @Option(
      names = "--to",
      required = true,
      paramLabel = "RELEASE",
      description = "The release to upgrade to (e.g. 26.03); --manifests may give its source.")
  String to;

  @Option(names = "--plan", description = "Show what the upgrade would do; change nothing.")
  boolean plan;

  UpgradeCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    release.into(in);
    cluster.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    if (!plan) {
      throw new KfbootException(
          "this kfboot plans upgrades but does not apply them yet",
          "run 'kfboot upgrade --to " + to + " --plan' to see what the upgrade would do",
          ExitCategory.INVALID_INPUT);
    }
    UpgradePlan p = new Upgrades(settings, listener(settings)).plan(to);
    if (output.json()) {
      printJson(p.toJson());
    } else {
      print(p.toText());
    }
    return p.refusals().isEmpty() ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
  }
}
