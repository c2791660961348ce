package io.kfboot.platform;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.verify.check.CheckResult;
import java.nio.file.Path;
import java.util.List;

/**
 * The whole path, in numbered phases: the inventory's hosts to k3s, its kubeconfig merged, storage,
 * GPUs and Kubeflow installed, then verified. Every phase changes nothing where it finds things as
 * they should be, so a rerun resumes where a failed or killed run stopped.
 */
public final class Up {
  public static final int PHASES = 4;

  private final PlatformSettings settings;
  private final PlatformListener listener;

  public Up(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /**
   * @param verify how verify runs; null stops after the install
   * @param mergeInto the kubeconfig the cluster is merged into (null: as kubectl finds it)
   */
  public record Result(
      List<StepRunner.Result> hosts,
      Hosts.Merged kubeconfig,
      Installation.Installed installed,
      List<CheckResult> verify) {}

  public Result run(Path mergeInto, VerifySuite.Options verify) {
    Hosts hosts =
        new Hosts(
            settings, listener); // the inventory and every setting are checked before anything runs
    Inventory inv = hosts.inventory();
    inv.warnings().forEach(listener::warning);
    // before any host is touched
    new AuthChecks(settings, listener).preflight();
    new StoresChecks(settings, listener).preflight();
    listener.phase(
        1, PHASES, "hosts: " + inv.hosts().size() + " hosts to k3s " + inv.k3s().version());
    List<StepRunner.Result> steps = hosts.up();

    listener.phase(2, PHASES, "kubeconfig: context " + inv.cluster());
    Hosts.Merged merged = hosts.mergeKubeconfig(mergeInto);

    PlatformSettings onCluster =
        settings.withKubeconfig(merged.file(), inv.cluster()).withPreflightsDone();
    listener.phase(
        3,
        PHASES,
        "install: storage "
            + settings.storage().mode().key()
            + (settings.gpuHosts() ? ", GPUs" : "")
            + ", Kubeflow");
    Installation.Installed installed = new Installation(onCluster, listener).install();
    if (verify == null) {
      return new Result(steps, merged, installed, List.of());
    }
    listener.phase(4, PHASES, "verify");
    VerifySuite.Options withGpus =
        new VerifySuite.Options(
            verify.only(),
            verify.skip(),
            verify.namespace(),
            verify.timeout(),
            verify.poll(),
            settings.nvidia().timeSlicing(),
            verify.junit());
    return new Result(
        steps, merged, installed, new VerifySuite(onCluster, withGpus, listener).run());
  }
}
