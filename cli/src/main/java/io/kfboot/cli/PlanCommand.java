package io.kfboot.cli;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.Planner;
import io.kfboot.gpu.DevicePlugin;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.storage.StorageComponent;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot plan}: what an install would do, offline and read-only. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Print the components of a release in install order, as waves, with their objects, CRDs,"
          + " namespaces, images and readiness gates. Reads the release and runs kustomize; touches"
          + " no host or cluster."
    })
final class PlanCommand implements Callable<Integer> {
  private final Main.Context context;

  @Mixin ReleaseOptions release = new ReleaseOptions();
  @Mixin SelectionOptions selection = new SelectionOptions();
  @Mixin PlatformOptions platformOptions = new PlatformOptions();

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "text or json (default: ${DEFAULT-VALUE}).",
      defaultValue = "text")
  OutputFormat output;

  PlanCommand(Main.Context context) {
    this.context = context;
  }

  /**
   * The release's plan, with the GPU component when asked for ({@code --gpu}) or when the
   * inventory has GPU hosts.
   *
   * @param platform storage and GPU settings; null for the release's components alone (uninstall)
   */
  static InstallPlan makePlan(
      ReleaseOptions release, SelectionOptions selection, PlatformOptions.Resolved platform, Main.Context context) {
    // Flags first: a bad value is reported before anything is downloaded or rendered.
    var adaptations = selection.adaptations();
    StderrProgress progress = new StderrProgress(context.err(), release.quiet);
    ReleaseOptions.Loaded loaded = release.load(context.env(), progress);
    Renderer renderer =
        new Renderer(
            loaded.kustomize(),
            Runtime.getRuntime().availableProcessors(),
            Duration.ofSeconds(release.renderTimeoutSeconds),
            progress);
    InstallPlan plan =
        new Planner(renderer, progress)
            .plan(
                new Planner.Request(
                    loaded.tree(),
                    loaded.catalog(),
                    selection.components,
                    selection.without,
                    release.allowRemoteBases,
                    adaptations),
                loaded.kustomize().describe());
    if (selection.gpu || platform != null && platform.gpuHosts()) {
      plan = DevicePlugin.addTo(plan, platform == null ? Inventory.Nvidia.DEFAULTS : platform.nvidia());
    }
    progress.report(
        "planned " + plan.components().size() + " components, " + plan.objectCount() + " objects");
    return plan;
  }

  /**
   * The plan with the storage component ahead of the release's components.
   *
   * @param bundledLocalPath whether the cluster runs k3s' local-path provisioner; offline, kfboot
   *     assumes a k3s cluster, which does
   */
  static InstallPlan withStorage(InstallPlan plan, PlatformOptions.Resolved platform, boolean bundledLocalPath) {
    return StorageComponent.addTo(plan, platform.storage(), bundledLocalPath);
  }

  @Override
  public Integer call() {
    PlatformOptions.Resolved platform = platformOptions.resolve(context.env());
    InstallPlan plan = withStorage(makePlan(release, selection, platform, context), platform, true);
    context
        .out()
        .print(output == OutputFormat.json ? PlanReport.json(PlanReport.toJson(plan)) + "\n" : PlanReport.text(plan));
    context.out().flush();
    return ExitCodes.OK;
  }
}
