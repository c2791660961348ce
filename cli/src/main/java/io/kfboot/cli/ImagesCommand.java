package io.kfboot.cli;

import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot images}: every container image of a plan, for mirrors and pre-pulling. */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description = "List every container image the planned components run, one per line.")
final class ImagesCommand implements Callable<Integer> {
  private final Main.Context context;

  @Mixin ReleaseOptions release = new ReleaseOptions();
  @Mixin SelectionOptions selection = new SelectionOptions();
  @Mixin PlatformOptions platformOptions = new PlatformOptions();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text (one image a line) or json (images per component).",
      defaultValue = "text")
  OutputFormat output;

  ImagesCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    PlatformOptions.Resolved platform = platformOptions.resolve(context.env());
    InstallPlan plan = PlanCommand.withStorage(PlanCommand.makePlan(release, selection, platform, context), platform, true);
    if (output == OutputFormat.json) {
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("release", plan.tree().release().tag());
      root.put("commit", plan.tree().release().commit());
      root.put("images", List.copyOf(plan.images()));
      Map<String, Object> byComponent = new LinkedHashMap<>();
      for (PlannedComponent c : plan.components()) {
        byComponent.put(c.id(), List.copyOf(c.images()));
      }
      root.put("components", byComponent);
      context.out().println(PlanReport.json(root));
    } else {
      plan.images().forEach(context.out()::println);
    }
    context.out().flush();
    return ExitCodes.OK;
  }
}
