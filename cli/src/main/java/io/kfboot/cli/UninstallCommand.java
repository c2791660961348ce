package io.kfboot.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.Uninstaller;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.gpu.DevicePlugin;
import io.kfboot.storage.StorageComponent;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot uninstall}: installed components removed in reverse dependency order. */
@Command(
    name = "uninstall",
    mixinStandardHelpOptions = true,
    description = "Remove what kfboot installed, in reverse dependency order: custom resources before their"
        + " CRDs, namespaces awaited until gone (finalizers that hold them are named).")
final class UninstallCommand implements Callable<Integer> {
  private final Main.Context context;

  @Mixin ReleaseOptions release = new ReleaseOptions();
  @Mixin ClusterOptions cluster = new ClusterOptions();
  @Mixin InstallCommand.InstallTuning tuning = new InstallCommand.InstallTuning();

  @Option(names = "--components", split = ",", paramLabel = "ID", description = "Remove only these (default: everything kfboot installed).")
  List<String> components = new ArrayList<>();

  @Option(names = "--keep-base", description = "Keep " + "cert-manager and Istio (istio-crds, istio-namespace, istio-install).")
  boolean keepBase;

  UninstallCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Installer.Options options = tuning.options();
    cluster.requireKubeconfig(context.env());
    try (KubernetesClient client = cluster.connect(context.env())) {
      Optional<InstallState> state = InstallState.read(client);
      if (release.manifests == null && state.isPresent()) {
        // Remove exactly the release that is there: from where it was installed if that is still
        // here (a tarball or directory), else by its tag.
        String source = state.get().source();
        boolean local = !source.isBlank() && java.nio.file.Files.exists(java.nio.file.Path.of(source));
        release.manifests = local ? source : state.get().release();
      }
      SelectionOptions everythingInstalled = new SelectionOptions();
      state.ifPresent(s -> {
        // kfboot's own components are not in the release's catalog
        everythingInstalled.gpu = s.done().contains(DevicePlugin.ID);
        // storage stays: volumes of other workloads may live in its class (README, "Storage")
        everythingInstalled.components = new ArrayList<>(s.done().stream()
            .filter(id -> !id.equals(DevicePlugin.ID) && !id.equals(StorageComponent.ID)).toList());
      });
      InstallPlan plan = PlanCommand.makePlan(release, everythingInstalled, null, context);
      InstallProgress progress = new InstallProgress(context.err(), release.quiet, false);
      List<String> removed = new Uninstaller(client, options, progress, new ClusterDiagnostics(client))
          .uninstall(plan, new LinkedHashSet<>(components), keepBase);
      context.out().println(removed.isEmpty() ? "nothing to remove" : "removed: " + String.join(", ", removed));
      context.out().flush();
      return ExitCodes.OK;
    }
  }
}
