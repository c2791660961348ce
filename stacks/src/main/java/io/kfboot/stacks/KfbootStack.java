package io.kfboot.stacks;

import com.pulumi.Context;
import com.pulumi.core.Output;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.k3s.ClusterBootstrap;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.plan.InstallPlan;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The whole stack: with an inventory, its hosts ({@link HostLayer}) and then Kubeflow on the
 * cluster they make; without, Kubeflow on the cluster of the secret kubeconfig ({@link
 * KubeflowStack}).
 */
public final class KfbootStack {
  private KfbootStack() {}

  /** The stack's secret config values; null where the config has none. */
  public record Secrets(Output<String> k3sToken, Output<String> sshPrivateKey, Output<String> kubeconfig) {}

  /**
   * @param inventoryFile where the inventory for {@code kfboot hosts step} was written
   * @param kfboot the command line that runs this kfboot
   */
  public static void define(Context ctx, StackConfig config, InstallPlan releasePlan, Credentials credentials, Secrets secrets,
      String inventoryFile, String kfboot) {
    Output<String> kubeconfig;
    if (config.inventory() != null) {
      ClusterBootstrap b = new ClusterBootstrap(config.inventory(), h -> {
        throw new HostException(h.name(), "is reached by 'kfboot hosts step', not while the stack's resources are defined", "", false);
      }, Map.of(), Duration.ofMinutes(10), 1, r -> {}, HostExtras.steps());
      Map<String, List<String>> ids = new LinkedHashMap<>();
      for (Host h : config.inventory().hosts()) {
        ids.put(h.name(), b.stepIds(h));
      }
      kubeconfig = HostLayer.define(config, inventoryFile, kfboot, ids, secrets.k3sToken(), secrets.sshPrivateKey(), b.joinUrl());
      ctx.export("kubeconfig", kubeconfig);
    } else {
      kubeconfig = secrets.kubeconfig();
    }
    KubeflowStack.define(ctx, config, releasePlan, credentials, kubeconfig);
  }
}
