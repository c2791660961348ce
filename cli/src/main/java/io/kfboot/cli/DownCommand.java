package io.kfboot.cli;

import io.kfboot.bootstrap.inventory.Inventory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot down}: {@code kfboot up} reversed: Kubeflow uninstalled, then every host reset. */
@Command(
    name = "down",
    mixinStandardHelpOptions = true,
    description = "Undo 'kfboot up': uninstall what kfboot installed on the inventory's cluster, then reset its hosts (k3s removed,"
        + " kfboot's files removed, swap back on if kfboot turned it off). --keep-cluster stops after the uninstall.")
final class DownCommand implements Callable<Integer> {
  private final Main.Context context;

  @Mixin HostsCommand.HostOptions hosts = new HostsCommand.HostOptions();

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig 'kfboot up' merged the cluster into (default: as kubectl finds it).")
  Path kubeconfig;

  @Option(names = "--keep-cluster", description = "Only uninstall Kubeflow; leave k3s on the hosts.")
  boolean keepCluster;

  DownCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Inventory inv = hosts.load();
    ClusterOptions cluster = new ClusterOptions();
    cluster.kubeconfig = kubeconfig;
    cluster.context = inv.cluster();
    context.err().println("== [1/2] uninstall from context " + inv.cluster());
    UninstallCommand uninstall = new UninstallCommand(context);
    uninstall.cluster = cluster;
    uninstall.call();
    if (keepCluster) {
      return ExitCodes.OK;
    }
    context.err().println("== [2/2] reset " + inv.hosts().size() + " hosts");
    HostsCommand.Reset reset = new HostsCommand.Reset(context);
    reset.options = hosts;
    return reset.call();
  }
}
