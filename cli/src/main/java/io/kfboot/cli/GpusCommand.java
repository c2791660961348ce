package io.kfboot.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.gpu.CudaSmokeTest;
import io.kfboot.gpu.DevicePlugin;
import io.kfboot.gpu.GpuUsage;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot gpus}: who holds which GPUs, as {@code arena top node} showed; and a CUDA smoke pod. */
@Command(
    name = "gpus",
    mixinStandardHelpOptions = true,
    description = "Show, per node, allocatable and allocated NVIDIA GPUs and the pods holding them. With --smoke,"
        + " also run a CUDA vectorAdd pod on one GPU (no runtimeClassName, as Kubeflow's pods) and require"
        + " \"Test PASSED\". Exit 3 when the smoke pod fails or no node offers a GPU.")
final class GpusCommand implements Callable<Integer> {
  private final Main.Context context;

  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Option(names = "--smoke", description = "Run the CUDA smoke pod (image " + CudaSmokeTest.IMAGE + ").")
  boolean smoke;

  @Option(names = "--node", paramLabel = "NAME", description = "Run the smoke pod on this node.")
  String node;

  @Option(names = "--timeout", paramLabel = "DURATION", description = "How long the smoke pod may take, pull included (default: ${DEFAULT-VALUE}).", defaultValue = "5m")
  String timeout;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).", defaultValue = "text")
  OutputFormat output;

  GpusCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Duration limit = InstallCommand.InstallTuning.parseDuration("--timeout", timeout);
    if (node != null && !smoke) {
      throw new CliException("--node chooses where the smoke pod runs", "add --smoke, or drop --node");
    }
    cluster.requireKubeconfig(context.env());
    try (KubernetesClient client = cluster.connect(context.env())) {
      List<GpuUsage.NodeUsage> usage = GpuUsage.read(client);
      CudaSmokeTest.Result result = null;
      if (smoke) {
        if (usage.stream().noneMatch(n -> n.allocatable() > 0)) {
          context.out().print(GpuUsage.table(usage));
          context.out().flush();
          throw new VerifyException("no node offers an nvidia.com/gpu, so the smoke pod could never be scheduled",
              "install with --gpu (or an inventory with gpu: true hosts), then check 'kubectl -n kube-system get ds " + DevicePlugin.NAME + "'", "");
        }
        Waiter waiter = new Waiter(Duration.ofSeconds(2), new ClusterDiagnostics(client),
            (c, r, e) -> context.err().println("waiting for " + c.description() + ": " + r.detail()));
        result = new CudaSmokeTest(client, waiter).run(node, limit);
      }
      if (output == OutputFormat.json) {
        context.out().println(PlanReport.json(json(usage, result)));
      } else {
        context.out().print(GpuUsage.table(usage));
        if (result != null) {
          context.out().println("CUDA smoke test passed on " + result.node() + " (Test PASSED)");
        }
      }
      context.out().flush();
      return ExitCodes.OK;
    }
  }

  static Map<String, Object> json(List<GpuUsage.NodeUsage> usage, CudaSmokeTest.Result smoke) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schemaVersion", 1);
    root.put("nodes", usage.stream().map(n -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("node", n.node());
      m.put("gpuNode", n.gpuNode());
      m.put("allocatable", n.allocatable());
      m.put("allocated", n.allocated());
      m.put("free", n.free());
      m.put("pods", n.pods().stream().map(p -> Map.of("namespace", p.namespace(), "name", p.name(), "phase", p.phase(), "gpus", p.gpus())).toList());
      return m;
    }).toList());
    if (smoke != null) {
      root.put("smoke", Map.of("passed", true, "node", smoke.node()));
    }
    return root;
  }
}
