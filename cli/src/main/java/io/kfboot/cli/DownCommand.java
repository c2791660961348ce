package io.kfboot.cli;

import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.platform.Down;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot down}: the platform's {@link Down} pipeline, {@code up} reversed. */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description =
        "Undo 'kfboot up': uninstall what kfboot installed on the inventory's cluster, then reset"
            + " its hosts (k3s removed, kfboot's files removed, swap back on if kfboot turned it"
            + " off). --keep-cluster stops after the uninstall.")
final class DownCommand extends BaseCommand {
  @Mixin Options.Hosts hosts = new Options.Hosts();

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "The kubeconfig 'kfboot up' merged the cluster into (as kubectl finds it).")
  Path kubeconfig;

  @Option(
      names = "--keep-cluster",
      description = "Only uninstall Kubeflow; leave k3s on the hosts.")
  boolean keepCluster;

  DownCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    hosts.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    Down.Result r = new Down(settings, listener(settings)).run(kubeconfig, keepCluster);
    long undone = r.reset().stream().filter(s -> s.status() != StepRunner.Status.OK).count();
    print(
        (r.removed().isEmpty() ? "nothing to remove" : "removed: " + String.join(", ", r.removed()))
            + (keepCluster ? "; hosts kept" : "; " + undone + " host steps undone"));
    return ExitCodes.OK;
  }
}
