package io.kfboot.components.install;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.components.k3s.IstioCniK3sPaths;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.Planner;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import java.time.Duration;
import java.util.List;

/** The real v1.10.2 plan, once per test JVM, and installers tuned for the simulated cluster. */
public final class SimulatedPlans {
  private static InstallPlan v1102;

  private SimulatedPlans() {}

  public static synchronized InstallPlan v1102() {
    if (v1102 == null) {
      Kustomize kustomize = Fixtures.kustomize();
      ReleaseTree tree = Fixtures.tree(Fixtures.V1_10_2);
      ReleaseCatalog catalog = Catalogs.shipped().require(tree.release());
      Renderer renderer = new Renderer(kustomize, 2, Duration.ofMinutes(3), Progress.SILENT);
      v1102 =
          new Planner(renderer, Progress.SILENT)
              .plan(
                  new Planner.Request(
                      tree, catalog, List.of(), List.of(), false, List.of(new IstioCniK3sPaths())),
                  kustomize.describe());
    }
    return v1102;
  }

  /**
   * Polling every 5 ms instead of watches: with informers open, fabric8's mock server now and then
   * stops answering (seen in whole installs and in cut-off ones). ClusterWatchTest covers watches.
   */
  static Installer.Options fastOptions() {
    return new Installer.Options(
        4,
        Duration.ofSeconds(20),
        Duration.ofMillis(5),
        new RetryPolicy(6, Duration.ofMillis(5), Duration.ofMillis(50)),
        false);
  }

  static Installer installer(KubernetesClient client, InstallListener listener) {
    return installer(client, listener, fastOptions());
  }

  static Installer installer(
      KubernetesClient client, InstallListener listener, Installer.Options options) {
    return new Installer(client, options, listener, new ClusterDiagnostics(client));
  }
}
