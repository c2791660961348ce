package io.kfboot.platform;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.gpu.CudaSmokeTest;
import io.kfboot.gpu.DevicePlugin;
import io.kfboot.gpu.GpuUsage;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.List;

/** Who holds which GPUs, as {@code arena top node} showed; and the CUDA smoke pod. */
public final class Gpus {
  private final PlatformSettings settings;
  private final PlatformListener listener;

  public Gpus(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /** The usage per node, and the smoke test's result where one ran. */
  public record Report(List<GpuUsage.NodeUsage> usage, CudaSmokeTest.Result smoke) {}

  /**
   * @param smoke whether to run the CUDA vectorAdd pod on one GPU
   * @param node where it runs (null: wherever the scheduler puts it)
   */
  public Report read(boolean smoke, String node, Duration timeout) {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      List<GpuUsage.NodeUsage> usage = GpuUsage.read(client);
      if (!smoke || !anyGpu(usage)) {
        return new Report(usage, null);
      }
      Waiter waiter =
          new Waiter(
              settings.install().poll(),
              new ClusterDiagnostics(client),
              (c, r, e) -> listener.report("waiting for " + c.description() + ": " + r.detail()));
      return new Report(usage, new CudaSmokeTest(client, waiter).run(node, timeout));
    }
  }

  public static boolean anyGpu(List<GpuUsage.NodeUsage> usage) {
    return usage.stream().anyMatch(n -> n.allocatable() > 0);
  }

  /** The smoke pod was asked for where no node offers a GPU. */
  public static VerifyException noGpuNode() {
    return new VerifyException(
        "no node offers an nvidia.com/gpu, so the smoke pod could never be scheduled",
        "install with --gpu (or an inventory with gpu: true hosts), then check 'kubectl -n"
            + " kube-system get ds "
            + DevicePlugin.NAME
            + "'",
        "");
  }
}
