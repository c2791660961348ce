package io.kfboot.components.upgrade;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.install.InstallBenchmark;
import io.kfboot.components.install.InstallListener;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.RetryPolicy;
import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.time.Duration;

/**
 * {@code bench/run upgrade}: v1.10.2 -> 26.03 on the simulated cluster against a fresh install of
 * 26.03, with the install benchmark's latencies, in one run; then the upgrade run again on the
 * upgraded cluster. The bucket copy is a no-op here and no backup is taken: the simulated API
 * server has no pods/exec or port-forward (both are measured by their own tests against real
 * servers, not timed).
 */
public final class UpgradeBenchmark {
  private UpgradeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Installer.Options options =
        new Installer.Options(
            Installer.Options.DEFAULT.parallelism(),
            Duration.ofMinutes(2),
            InstallBenchmark.POLL,
            RetryPolicy.DEFAULT,
            true);
    InstallPlan from = SimulatedPlans.of("v1.10.2");
    InstallPlan to = SimulatedPlans.of("26.03");

    double fresh;
    try (SimulatedCluster cluster = SimulatedCluster.start(InstallBenchmark.LATENCIES);
        KubernetesClient client = cluster.newClient()) {
      long t0 = System.nanoTime();
      new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client))
          .install(to);
      fresh = (System.nanoTime() - t0) / 1e9;
    }
    System.out.printf("fresh install of 26.03: %.1fs%n", fresh);

    double upgrade;
    double rerun;
    try (SimulatedCluster cluster = SimulatedCluster.start(InstallBenchmark.LATENCIES);
        KubernetesClient client = cluster.newClient()) {
      new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client))
          .install(from);
      Upgrader.Request r = UpgraderTest.prepareData(client);
      Upgrader upgrader =
          new Upgrader(
              client,
              options,
              InstallListener.NONE,
              new ClusterDiagnostics(client),
              job -> new BucketCopier.Report(0, 0, 0));
      long t0 = System.nanoTime();
      Upgrader.Report report = upgrader.upgrade(r);
      upgrade = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "upgrade v1.10.2 -> 26.03: %.1fs (%d pruned, %d kept)%n",
          upgrade, report.pruned().size(), report.kept().size());
      long t1 = System.nanoTime();
      upgrader.upgrade(r);
      rerun = (System.nanoTime() - t1) / 1e9;
      System.out.printf("upgrade run again: %.2fs%n", rerun);
    }
    System.out.println("goal: ratio <= 1.3, rerun <= 0.1");
    System.out.printf("upgrade: ratio=%.2f rerun=%.2f%n", upgrade / fresh, rerun / fresh);
    System.exit(0);
  }
}
