package io.kfboot.cli;

import io.kfboot.platform.Installation;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot uninstall}: installed components removed in reverse dependency order. */
@Command(
    name = "uninstall",
    mixinStandardHelpOptions = true,
    description =
        "Remove what kfboot installed, in reverse dependency order: custom resources before their"
            + " CRDs, namespaces awaited until gone (finalizers that hold them are named). Uses the"
            + " release and source the install recorded unless --manifests says otherwise.")
final class UninstallCommand extends BaseCommand {
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.Install tuning = new Options.Install();

  @Option(
      names = "--components",
      split = ",",
      paramLabel = "ID",
      description = "Remove only these (default: everything kfboot installed).")
  List<String> components = new ArrayList<>();

  @Option(
      names = "--keep-base",
      description = "Keep cert-manager and Istio (istio-crds, istio-namespace, istio-install).")
  boolean keepBase;

  UninstallCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    release.into(in);
    cluster.into(in);
    tuning.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    List<String> removed =
        new Installation(settings, listener(settings))
            .uninstall(new LinkedHashSet<>(components), keepBase);
    print(removed.isEmpty() ? "nothing to remove" : "removed: " + String.join(", ", removed));
    return ExitCodes.OK;
  }
}
