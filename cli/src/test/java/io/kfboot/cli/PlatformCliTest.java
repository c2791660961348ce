package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.gpu.CudaSmokeTest;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.platform.Setting;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;

/** Storage and GPU settings on the command line, and {@code kfboot gpus}. */
class PlatformCliTest {
  @TempDir Path tmp;

  private Map<String, String> env() {
    return CliRun.env(tmp);
  }

  private Path kubeconfig(SimulatedCluster cluster) throws Exception {
    return CliRun.kubeconfig(tmp, cluster);
  }

  private String[] plan(String... more) {
    String[] base = {
      "plan",
      "-q",
      "--manifests",
      Fixtures.tarball(Fixtures.V1_10_2).toString(),
      "--components",
      "cert-manager",
      "-o",
      "json"
    };
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void storageComesFirstAndEveryReleaseComponentWaitsForIt() throws Exception {
    Fixtures.kustomize();
    CliRun r = CliRun.of(env(), plan("--storage", "nfs", "--nfs-server", "10.0.0.5"));
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode components = new ObjectMapper().readTree(r.out()).get("components");
    assertThat(components.get(0).get("id").asText()).isEqualTo("storage");
    assertThat(components.get(0).toString())
        .contains("nfs-subdir-external-provisioner:v4.0.2")
        .contains("10.0.0.5:/srv/kfboot-nfs");
    assertThat(components.get(1).get("id").asText()).isEqualTo("cert-manager");
    assertThat(components.get(1).toString()).contains("storage");
  }

  @Test
  void flagsBeatTheEnvironmentWhichBeatsTheInventory() throws Exception {
    Fixtures.kustomize();
    Path inventory = tmp.resolve("inventory.yaml");
    Files.writeString(
        inventory,
        """
        cluster: lab
        k3s: {token: {env: K3S_TOKEN}}
        nvidia: {timeSlicing: 2}
        storage: {mode: nfs, nfs: {server: server-1, path: /srv/nfs}}
        hosts:
          - {name: server-1, address: 10.0.0.11, role: server}
          - {name: gpu-1, address: 10.0.0.21, role: agent, gpu: true}
        """);
    Map<String, String> env = env();
    CliRun fromInventory = CliRun.of(env, plan("--inventory", inventory.toString()));
    assertThat(fromInventory.code()).as(fromInventory.err()).isZero();
    assertThat(fromInventory.out())
        .contains("10.0.0.11:/srv/nfs")
        .contains("nvidia-device-plugin")
        .contains("2 pods per GPU");

    env.put(Setting.NFS_PATH.env(), "/export/from-env");
    env.put(Setting.TIME_SLICING.env(), "4");
    CliRun fromEnv = CliRun.of(env, plan("--inventory", inventory.toString()));
    assertThat(fromEnv.out()).contains("10.0.0.11:/export/from-env").contains("4 pods per GPU");

    CliRun fromFlags =
        CliRun.of(
            env,
            plan(
                "--inventory",
                inventory.toString(),
                "--storage",
                "local-path",
                "--time-slicing",
                "1"));
    // --nfs-path from the environment does not apply to local-path: said, not ignored
    assertThat(fromFlags.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(fromFlags.err()).contains("apply to --storage nfs, not local-path");
    env.remove(Setting.NFS_PATH.env());
    CliRun flags =
        CliRun.of(
            env,
            plan(
                "--inventory",
                inventory.toString(),
                "--storage",
                "local-path",
                "--time-slicing",
                "1"));
    assertThat(flags.code()).as(flags.err()).isZero();
    assertThat(flags.out()).contains("local-path").doesNotContain("pods per GPU");
  }

  @Test
  void badStorageAndGpuSettingsExitTwoBeforeAnythingIsRendered() {
    Map<String, String> env = env();
    CliRun noServer = CliRun.of(env, plan("--storage", "nfs"));
    assertThat(noServer.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(noServer.err()).contains("needs an NFS server").contains("--nfs-server ADDRESS");
    CliRun unknown = CliRun.of(env, plan("--storage", "ceph"));
    assertThat(unknown.err())
        .contains("--storage ceph is no storage mode")
        .contains("local-path, nfs, nfs-static, existing");
    CliRun staticWithoutInventory =
        CliRun.of(env, plan("--storage", "nfs-static", "--nfs-server", "nas"));
    assertThat(staticWithoutInventory.err()).contains("only an inventory lists");
    CliRun slices = CliRun.of(env, plan("--gpu", "--time-slicing", "0"));
    assertThat(slices.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(slices.err()).contains("--time-slicing 0 is out of range");
  }

  @Test
  void gpusShowsHoldersAndRunsTheSmokePod() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      Map<String, String> env = env();
      env.put("KUBECONFIG", kubeconfig(cluster).toString());
      CliRun none = CliRun.of(env, "gpus", "--smoke");
      assertThat(none.code()).isEqualTo(ExitCodes.UNEXPECTED_STATE);
      assertThat(none.out()).contains("No GPU nodes");
      assertThat(none.err()).contains("no node offers an nvidia.com/gpu").contains("fix:");

      cluster.node(
          "gpu-1", Map.of("nvidia.com/gpu.present", "true"), Map.of("nvidia.com/gpu", "2"));
      cluster.podLog(CudaSmokeTest.NAMESPACE, CudaSmokeTest.POD, "Test PASSED\nDone\n");
      client
          .pods()
          .inNamespace("team-a")
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName("trainer")
                  .withNamespace("team-a")
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("t")
                  .withImage("pytorch/pytorch")
                  .withNewResources()
                  .withLimits(Map.of("nvidia.com/gpu", new Quantity("1")))
                  .endResources()
                  .endContainer()
                  .endSpec()
                  .build())
          .create();
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (System.nanoTime() < deadline && !"Running".equals(phase(client))) {
        Thread.sleep(20);
      }
      CliRun smoke = CliRun.of(env, "gpus", "--smoke", "--timeout", "20s");
      assertThat(smoke.code()).as(smoke.err()).isZero();
      assertThat(smoke.out())
          .contains("team-a/trainer (1)")
          .containsPattern("gpu-1\\s+2\\s+1\\s+1")
          .contains("CUDA smoke test passed on gpu-1");

      CliRun json = CliRun.of(env, "gpus", "-o", "json");
      JsonNode node = new ObjectMapper().readTree(json.out()).get("nodes").get(0);
      assertThat(node.get("allocated").asInt()).isEqualTo(1);
      assertThat(node.get("pods").get(0).get("name").asText()).isEqualTo("trainer");

      assertThat(CliRun.of(env, "gpus", "--node", "gpu-1").code())
          .as("--node without --smoke")
          .isEqualTo(ExitCodes.INVALID_INPUT);
    }
  }

  private static String phase(KubernetesClient client) {
    var p = client.pods().inNamespace("team-a").withName("trainer").get();
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  @Test
  void upWithPulumiSaysWhenThePulumiCliIsMissing() {
    Map<String, String> env = env();
    env.put("PATH", tmp.toString());
    CliRun r = CliRun.of(env, "up", "--engine", "pulumi", "--dir", "../stacks");
    assertThat(r.code()).isEqualTo(ExitCodes.MISSING_TOOL);
    assertThat(r.err()).contains("the pulumi CLI is not on PATH").contains("fix: install it");
    CliRun preview = CliRun.of(env, "up", "--preview", "-i", "inventory.yaml");
    assertThat(preview.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(preview.err())
        .contains("--preview and --destroy belong to --engine pulumi")
        .contains("kfboot hosts plan");
  }

  @Test
  void verifyFailsOnAnUnhealthyPodWithExitThreeAndAJunitFailure() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      Map<String, String> env = env();
      env.put("KUBECONFIG", kubeconfig(cluster).toString());
      cluster.node("server-1", Map.of(), Map.of("cpu", "8"));
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName("kubeflow").endMetadata().build())
          .create();
      client
          .pods()
          .inNamespace("kubeflow")
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName("katib-db-0")
                  .withNamespace("kubeflow")
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("db")
                  .withImage("mysql:8")
                  .endContainer()
                  .endSpec()
                  .build())
          .create();
      // the simulated kubelet runs it first; then it starts to crash
      var stored = client.pods().inNamespace("kubeflow").withName("katib-db-0").get();
      for (int i = 0;
          i < 12_000 && (stored.getStatus() == null || stored.getStatus().getPhase() == null);
          i++) {
        Thread.sleep(10);
        stored = client.pods().inNamespace("kubeflow").withName("katib-db-0").get();
      }
      stored.setStatus(
          new PodStatusBuilder()
              .withPhase("Running")
              .addNewContainerStatus()
              .withName("db")
              .withReady(false)
              .withRestartCount(9)
              .withNewState()
              .withNewWaiting()
              .withReason("CrashLoopBackOff")
              .endWaiting()
              .endState()
              .endContainerStatus()
              .build());
      client.pods().inNamespace("kubeflow").resource(stored).updateStatus();

      Path junit = tmp.resolve("verify.xml");
      CliRun r =
          CliRun.of(
              env,
              "verify",
              "--only",
              "pods-healthy",
              "--timeout",
              "1s",
              "--report-junit",
              junit.toString());
      assertThat(r.code()).isEqualTo(ExitCodes.UNEXPECTED_STATE);
      assertThat(r.out())
          .contains("FAILED")
          .contains("kubeflow/katib-db-0 Running (CrashLoopBackOff)")
          .contains("diagnostics for pods-healthy");
      assertThat(Files.readString(junit)).contains("<failure message=").contains("katib-db-0");
      assertThat(CliRun.of(env, "verify", "--only", "kserve").err())
          .contains("no check 'kserve'")
          .contains("kfboot verify --list");
      assertThat(CliRun.of(env, "verify", "--list").out())
          .contains("storage-probe")
          .doesNotContain("gpu-cuda-smoke");
      // the inventory's gateway: and profiles: add their checks
      Path team =
          Files.writeString(
              tmp.resolve("team-inventory.yaml"),
              "cluster: lab\nk3s:\n  token: {env: K3S_TOKEN}\nhosts:\n"
                  + "  - {name: server-1, address: 10.0.0.11, role: server}\n"
                  + "gateway:\n  expose: loadBalancer\n  host: kubeflow.lab.example\n"
                  + "  tls: {mode: selfSigned}\n"
                  + "profiles:\n  - {name: team-a, owner: alice@lab.example}\n");
      assertThat(
              CliRun.of(
                      env,
                      "verify",
                      "--list",
                      "-i",
                      team.toString(),
                      "--gateway-url",
                      "https://kubeflow.lab.example")
                  .out())
          .contains("gateway-certificate  the gateway's certificate for kubeflow.lab.example")
          .contains("profile-access");
    }
  }

  @Test
  void upNeedsAnInventoryAndKnowsItsEngines() {
    Map<String, String> env = env();
    CliRun none = CliRun.of(env, "up");
    assertThat(none.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(none.err()).contains("no inventory given").contains("-i inventory.yaml");
    CliRun engine = CliRun.of(env, "up", "--engine", "ansible");
    assertThat(engine.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(engine.err()).contains("--engine ansible is no engine");
  }

  @Test
  void accessPrintsTheGatewaysAddressOrHowToForward() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      Map<String, String> env = env();
      env.put("KUBECONFIG", kubeconfig(cluster).toString());
      CliRun missing = CliRun.of(env, "access");
      assertThat(missing.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(missing.err()).contains("no Service istio-system/istio-ingressgateway");

      client
          .services()
          .inNamespace("istio-system")
          .resource(
              new ServiceBuilder()
                  .withNewMetadata()
                  .withName("istio-ingressgateway")
                  .withNamespace("istio-system")
                  .endMetadata()
                  .withNewSpec()
                  .withType("ClusterIP")
                  .addNewPort()
                  .withName("http2")
                  .withPort(80)
                  .endPort()
                  .endSpec()
                  .build())
          .create();
      assertThat(CliRun.of(env, "access", "--print-only").out())
          .contains("kubectl port-forward -n istio-system svc/istio-ingressgateway 8080:80");

      var svc =
          client.services().inNamespace("istio-system").withName("istio-ingressgateway").get();
      svc.getSpec().setType("NodePort");
      svc.getSpec().getPorts().get(0).setNodePort(31380);
      client.services().inNamespace("istio-system").resource(svc).update();
      client
          .nodes()
          .resource(
              new NodeBuilder()
                  .withNewMetadata()
                  .withName("server-1")
                  .endMetadata()
                  .withNewStatus()
                  .addNewAddress()
                  .withType("InternalIP")
                  .withAddress("10.0.0.11")
                  .endAddress()
                  .endStatus()
                  .build())
          .create();
      CliRun nodePort = CliRun.of(env, "access");
      assertThat(nodePort.code()).as(nodePort.err()).isZero();
      assertThat(nodePort.out().strip()).isEqualTo("http://10.0.0.11:31380");

      // an HTTPS gateway of the inventory: its name, then its CA once cert-manager has issued
      Path inventory =
          Files.writeString(
              tmp.resolve("https-inventory.yaml"),
              "cluster: lab\nk3s:\n  token: {env: K3S_TOKEN}\nhosts:\n"
                  + "  - {name: server-1, address: 10.0.0.11, role: server}\n"
                  + "gateway:\n  expose: loadBalancer\n  host: kubeflow.lab.example\n"
                  + "  tls: {mode: selfSigned}\n");
      CliRun pending = CliRun.of(env, "access", "-i", inventory.toString());
      assertThat(pending.code()).as(pending.err()).isZero();
      assertThat(pending.out())
          .startsWith("https://kubeflow.lab.example\n")
          .contains("no CA exported");
      String pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
      client
          .secrets()
          .inNamespace("istio-system")
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("kubeflow-gateway-tls")
                  .endMetadata()
                  .addToData(
                      "ca.crt",
                      Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8)))
                  .build())
          .create();
      assertThat(CliRun.of(env, "access").out())
          .as("without the inventory, the HTTPS gateway is named and the way to its URL")
          .contains("serves HTTPS")
          .contains("pass -i");
      CliRun issued = CliRun.of(env, "access", "-i", inventory.toString());
      assertThat(issued.code()).as(issued.err()).isZero();
      Matcher ca = Pattern.compile("CA certificate: (\\S+)").matcher(issued.out());
      assertThat(ca.find()).as(issued.out()).isTrue();
      assertThat(Files.readString(Path.of(ca.group(1)))).isEqualTo(pem);
      assertThat(ca.group(1)).endsWith("-gateway-ca.pem");
    }
  }

  @Test
  void ciWithoutDockerSaysSoWithExitFive() {
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      docker = false;
    }
    Assumptions.assumeFalse(
        docker, "skipped: a Docker engine is here; K3sCiIT runs 'kfboot ci' for real");
    CliRun r = CliRun.of(env(), "ci", "--components", "cert-manager");
    assertThat(r.code()).isEqualTo(ExitCodes.MISSING_TOOL);
    assertThat(r.err()).contains("no Docker engine found").contains("fix:");
  }
}
