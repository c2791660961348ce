package io.kfboot.cli;

import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.ReleasePlanner;
import io.kfboot.platform.SettingsInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kfboot images}: every container image of a plan, for mirrors and pre-pulling. */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description =
        "List every container image the planned components run, one per line (--output json: per"
            + " component).")
final class ImagesCommand extends BaseCommand {
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Selection selection = new Options.Selection();
  @Mixin Options.Platform platform = new Options.Platform();
  @Mixin Options.Output output = new Options.Output();

  ImagesCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    release.into(in);
    selection.into(in);
    platform.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    InstallPlan plan = new ReleasePlanner(settings, listener(settings)).offlinePlan();
    if (!output.json()) {
      print(String.join("\n", plan.images()));
      return ExitCodes.OK;
    }
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("release", plan.tree().release().tag());
    root.put("commit", plan.tree().release().commit());
    root.put("images", List.copyOf(plan.images()));
    Map<String, Object> byComponent = new LinkedHashMap<>();
    for (PlannedComponent c : plan.components()) {
      byComponent.put(c.id(), List.copyOf(c.images()));
    }
    root.put("components", byComponent);
    printJson(root);
    return ExitCodes.OK;
  }
}
