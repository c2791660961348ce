package io.kfboot.gpu;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.wait.KubernetesConditions;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A pod that asks for one GPU and runs NVIDIA's CUDA vectorAdd sample, as NVIDIA's device plugin
 * README does to prove a node works. It sets no {@code runtimeClassName}: Kubeflow's notebooks and
 * training pods set none either, so this is what shows that the nvidia runtime is the default. The
 * pod must Succeed and print "Test PASSED"; it is removed afterwards either way.
 */
public final class CudaSmokeTest {
  public static final String NAMESPACE = "kfboot-smoke";
  public static final String POD = "cuda-vectoradd";

  /** https://catalog.ngc.nvidia.com/orgs/nvidia/teams/k8s/containers/cuda-sample */
  public static final String IMAGE = "nvcr.io/nvidia/k8s/cuda-sample:vectoradd-cuda12.5.0";

  /**
   * @param node where it ran
   * @param log what the sample printed
   */
  public record Result(String node, String log) {}

  private final KubernetesClient client;
  private final Waiter waiter;

  public CudaSmokeTest(KubernetesClient client, Waiter waiter) {
    this.client = client;
    this.waiter = waiter;
  }

  /** The pod as it is created: one GPU, no restarts, no runtime class. */
  public static Pod pod(String node) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(POD)
            .withNamespace(NAMESPACE)
            .withLabels(
                Map.of(
                    "app.kubernetes.io/managed-by",
                    "kfboot",
                    "app.kubernetes.io/name",
                    "kfboot-gpu-smoke"))
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withTolerations(
                new TolerationBuilder()
                    .withKey(GpuChecks.RESOURCE)
                    .withOperator("Exists")
                    .withEffect("NoSchedule")
                    .build())
            .addNewContainer()
            .withName("vectoradd")
            .withImage(IMAGE)
            .withNewResources()
            .withLimits(Map.of(GpuChecks.RESOURCE, new Quantity("1")))
            .endResources()
            .endContainer()
            .endSpec();
    if (node != null) {
      b.editSpec().withNodeSelector(Map.of("kubernetes.io/hostname", node)).endSpec();
    }
    return b.build();
  }

  /**
   * Runs the sample once.
   *
   * @param node the node to run on, or null for wherever the scheduler puts it
   */
  public Result run(String node, Duration timeout) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(NAMESPACE)
                .withLabels(Map.of("app.kubernetes.io/managed-by", "kfboot"))
                .endMetadata()
                .build())
        .serverSideApply();
    // a pod left by an interrupted run would hold a GPU and its name
    client.pods().inNamespace(NAMESPACE).withName(POD).withTimeout(30, TimeUnit.SECONDS).delete();
    client.pods().inNamespace(NAMESPACE).resource(pod(node)).create();
    try {
      waiter.await(new KubernetesConditions(client).podFinished(NAMESPACE, POD), timeout);
      Pod done = client.pods().inNamespace(NAMESPACE).withName(POD).get();
      String log = client.pods().inNamespace(NAMESPACE).withName(POD).getLog();
      String phase = done.getStatus().getPhase();
      if (!"Succeeded".equals(phase) || !log.contains("Test PASSED")) {
        throw new VerifyException(
            "the CUDA smoke pod "
                + NAMESPACE
                + "/"
                + POD
                + " ended "
                + phase
                + " on "
                + done.getSpec().getNodeName()
                + " without \"Test PASSED\"; it printed: "
                + lastLines(log, 5),
            "check the driver on that node (nvidia-smi) and that k3s uses the nvidia runtime by"
                + " default (default-runtime: nvidia in /etc/rancher/k3s/config.yaml; 'kfboot hosts"
                + " up' sets it)",
            "");
      }
      return new Result(done.getSpec().getNodeName(), log);
    } finally {
      client.pods().inNamespace(NAMESPACE).withName(POD).delete();
    }
  }

  private static String lastLines(String log, int n) {
    List<String> lines = log.strip().lines().toList();
    return lines.isEmpty()
        ? "(nothing)"
        : String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
  }
}
