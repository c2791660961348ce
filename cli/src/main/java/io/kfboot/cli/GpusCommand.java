package io.kfboot.cli;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.gpu.CudaSmokeTest;
import io.kfboot.gpu.GpuUsage;
import io.kfboot.platform.Gpus;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kfboot gpus}: who holds which GPUs, as {@code arena top node} showed; and a CUDA smoke
 * pod.
 */
@Command(
    name = "gpus",
    mixinStandardHelpOptions = true,
    description =
        "Show, per node, allocatable and allocated NVIDIA GPUs and the pods holding them. With"
            + " --smoke, also run a CUDA vectorAdd pod on one GPU (no runtimeClassName, as"
            + " Kubeflow's pods) and require \"Test PASSED\". Exit 3 when the smoke pod fails or no"
            + " node offers a GPU.")
final class GpusCommand extends BaseCommand {
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.Output output = new Options.Output();

  @Option(
      names = "--smoke",
      description = "Run the CUDA smoke pod (image " + CudaSmokeTest.IMAGE + ").")
  boolean smoke;

  @Option(names = "--node", paramLabel = "NAME", description = "Run the smoke pod on this node.")
  String node;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      defaultValue = "5m",
      description = "How long the smoke pod may take, pull included (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  GpusCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    cluster.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    if (node != null && !smoke) {
      throw new KfbootException(
          "--node chooses where the smoke pod runs",
          "add --smoke, or drop --node",
          ExitCategory.INVALID_INPUT);
    }
    Gpus.Report report = new Gpus(settings, listener(settings)).read(smoke, node, timeout);
    if (smoke && !Gpus.anyGpu(report.usage())) {
      print(GpuUsage.table(report.usage()));
      throw Gpus.noGpuNode();
    }
    if (output.json()) {
      printJson(json(report.usage(), report.smoke()));
    } else {
      print(
          GpuUsage.table(report.usage())
              + (report.smoke() == null
                  ? ""
                  : "CUDA smoke test passed on " + report.smoke().node() + " (Test PASSED)\n"));
    }
    return ExitCodes.OK;
  }

  static Map<String, Object> json(List<GpuUsage.NodeUsage> usage, CudaSmokeTest.Result smoke) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schemaVersion", 1);
    root.put(
        "nodes",
        usage.stream()
            .map(
                n -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("node", n.node());
                  m.put("gpuNode", n.gpuNode());
                  m.put("allocatable", n.allocatable());
                  m.put("allocated", n.allocated());
                  m.put("free", n.free());
                  m.put(
                      "pods",
                      n.pods().stream()
                          .map(
                              p ->
                                  Map.of(
                                      "namespace",
                                      p.namespace(),
                                      "name",
                                      p.name(),
                                      "phase",
                                      p.phase(),
                                      "gpus",
                                      p.gpus()))
                          .toList());
                  return m;
                })
            .toList());
    if (smoke != null) {
      root.put("smoke", Map.of("passed", true, "node", smoke.node()));
    }
    return root;
  }
}
