package io.kfboot.cli;

import io.kfboot.components.plan.InstallPlan;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.ReleasePlanner;
import io.kfboot.platform.SettingsInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kfboot plan}: what an install would do, offline and read-only. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description =
        "Print the components of a release in install order, as waves, with their objects, CRDs,"
            + " namespaces, images and readiness gates. Reads the release and runs kustomize;"
            + " touches no host or cluster.")
final class PlanCommand extends BaseCommand {
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Selection selection = new Options.Selection();
  @Mixin Options.Platform platform = new Options.Platform();
  @Mixin Options.Issuer issuer = new Options.Issuer();
  @Mixin Options.Output output = new Options.Output();

  PlanCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    release.into(in);
    selection.into(in);
    platform.into(in);
    issuer.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    InstallPlan plan = new ReleasePlanner(settings, listener(settings)).offlinePlan();
    print(output.json() ? Json.write(PlanReport.toJson(plan)) : PlanReport.text(plan));
    return ExitCodes.OK;
  }
}
