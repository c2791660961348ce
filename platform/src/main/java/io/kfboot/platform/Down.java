package io.kfboot.platform;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.steps.StepRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * {@link Up} reversed: Kubeflow uninstalled from the inventory's cluster, then every host reset.
 */
public final class Down {
  public static final int PHASES = 2;

  private final PlatformSettings settings;
  private final PlatformListener listener;

  public Down(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /**
   * What was removed from the cluster, and the reset steps of the hosts (empty when the cluster is
   * kept).
   */
  public record Result(List<String> removed, List<StepRunner.Result> reset) {}

  /**
   * @param kubeconfig the kubeconfig 'up' merged the cluster into (null: as kubectl finds it)
   * @param keepCluster only uninstall; leave k3s on the hosts
   */
  public Result run(Path kubeconfig, boolean keepCluster) {
    Hosts hosts = new Hosts(settings, listener);
    Inventory inv = hosts.inventory();
    listener.phase(1, PHASES, "uninstall from context " + inv.cluster());
    List<String> removed =
        new Installation(settings.withKubeconfig(kubeconfig, inv.cluster()), listener)
            .uninstall(Set.of(), false);
    if (keepCluster) {
      return new Result(removed, List.of());
    }
    listener.phase(2, PHASES, "reset " + inv.hosts().size() + " hosts");
    return new Result(removed, hosts.reset(null, false));
  }
}
