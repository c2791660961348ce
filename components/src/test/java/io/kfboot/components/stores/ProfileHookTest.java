package io.kfboot.components.stores;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.PodTemplates;
import io.kfboot.manifests.parse.Trees;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.testing.Skips;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * kfboot's profile controller hook run for real: the patched plan's code ConfigMap (kfboot's
 * wrapper beside the release's own sync.py) in a real Python, with the environment the plan gives
 * the controller, answering a metacontroller sync request for a profile namespace. Every outbound
 * call the hook makes goes through a recording proxy, so "no IAM call" is observed, not assumed.
 */
class ProfileHookTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static Stream<String> releases() {
    return ObjectStorePatchTest.releases();
  }

  @ParameterizedTest
  @MethodSource("releases")
  void eachNamespaceGetsTheExternalStoreAndTheClusterKeysWithoutAnyCallOut(
      String release, @TempDir Path dir) throws Exception {
    String python = python();
    InstallPlan plan = ObjectStorePatchTest.patched(release);
    try (Recorder proxy = new Recorder()) {
      Process hook =
          start(python, plan, dir, proxy, List.of(dir.resolve("kfboot_sync.py").toString()));
      try {
        int port = servingPort(hook);
        JsonNode desired = sync(port, "team-nlp");
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        desired
            .get("attachments")
            .forEach(
                a -> byName.put(a.at("/kind").asText() + "/" + a.at("/metadata/name").asText(), a));

        JsonNode secret = byName.get("Secret/mlpipeline-minio-artifact");
        assertThat(secret).as("the namespace's store keys").isNotNull();
        assertThat(decode(secret.at("/data/accesskey"))).isEqualTo(ObjectStorePatchTest.ACCESS);
        assertThat(decode(secret.at("/data/secretkey"))).isEqualTo(ObjectStorePatchTest.SECRET);
        assertThat(secret.at("/metadata/namespace").asText()).isEqualTo("team-nlp");

        JsonNode launcher = byName.get("ConfigMap/kfp-launcher");
        assertThat(launcher).as("the launcher's store").isNotNull();
        assertThat(launcher.at("/data/defaultPipelineRoot").asText())
            .startsWith("s3://kubeflow-artifacts/")
            .endsWith("v2/artifacts");
        Map<String, Object> providers =
            Trees.map(new Yaml().load(launcher.at("/data/providers").asText()));
        Map<String, Object> s3 = Trees.map(Trees.map(providers.get("s3")).get("default"));
        assertThat(s3)
            .containsEntry("endpoint", "https://s3.lab.example:443")
            .containsEntry("disableSSL", false)
            .containsEntry("region", "eu-central-1")
            .containsEntry("forcePathStyle", true);
        assertThat(Trees.map(Trees.map(s3.get("credentials")).get("secretRef")))
            .containsEntry("secretName", "mlpipeline-minio-artifact");

        JsonNode repositories = byName.get("ConfigMap/artifact-repositories");
        if (repositories != null) {
          // 26.03's hook gives each namespace its own Argo repository
          JsonNode repo = JSON.readTree(repositories.at("/data/default-namespaced").asText());
          assertThat(repo.at("/s3/endpoint").asText()).isEqualTo("s3.lab.example:443");
          assertThat(repo.at("/s3/bucket").asText()).isEqualTo("kubeflow-artifacts");
          assertThat(repo.at("/s3/insecure").asBoolean()).isFalse();
          assertThat(repo.at("/s3/keyFormat").asText()).contains("private-artifacts/team-nlp/");
        }
        JsonNode viewer = byName.get("Deployment/ml-pipeline-ui-artifact");
        if (viewer != null) {
          assertThat(viewer.at("/spec/template/spec/containers/0/env").toString())
              .contains("\"MINIO_HOST\"", "\"s3.lab.example\"");
        }
        assertThat(desired.toString()).doesNotContain("seaweedfs.kubeflow", "minio-service");
        assertThat(proxy.requests()).as("calls out of the hook").isEmpty();

        JsonNode disabled = sync(port, "not-a-profile", false);
        assertThat(disabled.get("attachments")).as("a namespace without Pipelines").isEmpty();
      } finally {
        hook.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * The control: 26.03's own hook, in the same environment and without kfboot's wrapper, calls
   * SeaweedFS' IAM API for a new namespace; the recording proxy sees that call. So the empty record
   * above means the wrapper made none.
   */
  @Test
  void withoutTheWrapper2603sHookCallsOutForAPerNamespaceKey(@TempDir Path dir) throws Exception {
    String python = python();
    InstallPlan plan = ObjectStorePatchTest.patched(Fixtures.V26_03.tag());
    String script =
        String.join(
            "\n",
            "import json, sys",
            "sys.path.insert(0, sys.argv[1])",
            "import sync",
            "server = sync.server_factory(**sync.get_settings_from_env())",
            "parent = {'metadata': {'name': 'team-nlp',"
                + " 'labels': {'pipelines.kubeflow.org/enabled': 'true'}}}",
            "server.RequestHandlerClass.sync(None, parent, json.loads(sys.argv[2]))");
    try (Recorder proxy = new Recorder()) {
      Process upstream =
          start(
              python,
              plan,
              dir,
              proxy,
              List.of("-c", script, dir.toString(), attachments().toString()));
      assertThat(upstream.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(upstream.exitValue()).as("the IAM call fails behind the proxy").isNotZero();
      assertThat(proxy.requests()).anyMatch(r -> r.contains("iam.amazonaws.com"));
    }
  }

  private static Process start(
      String python, InstallPlan plan, Path dir, Recorder proxy, List<String> args)
      throws IOException {
    K8sObject controller =
        PlanEnv.find(plan, "Deployment", "kubeflow-pipelines-profile-controller");
    String codeName = null;
    for (Object v : Trees.list(PodTemplates.podSpec(controller.body()).get("volumes"))) {
      if ("hooks".equals(Trees.map(v).get("name"))) {
        codeName = String.valueOf(Trees.map(Trees.map(v).get("configMap")).get("name"));
      }
    }
    K8sObject code = PlanEnv.find(plan, "ConfigMap", codeName);
    for (Map.Entry<String, Object> file : Trees.map(code.body().get("data")).entrySet()) {
      Files.writeString(dir.resolve(file.getKey()), String.valueOf(file.getValue()));
    }
    PlanEnv env = PlanEnv.of(plan, "kubeflow-pipelines-profile-controller", "profile-controller");
    assertThat(env.unresolved()).isEmpty();
    List<String> command = new ArrayList<>(List.of(python));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env.values());
    pb.environment().put("PATH", System.getenv("PATH"));
    pb.environment().put("CONTROLLER_PORT", "0");
    pb.environment().put("HTTP_PROXY", proxy.url());
    pb.environment().put("HTTPS_PROXY", proxy.url());
    pb.environment().put("AWS_MAX_ATTEMPTS", "1");
    pb.environment().put("AWS_CONFIG_FILE", dir.resolve("no-aws-config").toString());
    pb.environment()
        .put("AWS_SHARED_CREDENTIALS_FILE", dir.resolve("no-aws-credentials").toString());
    return pb.start();
  }

  private static int servingPort(Process hook) throws IOException {
    BufferedReader out =
        new BufferedReader(new InputStreamReader(hook.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("kfboot_sync: serving on port ")) {
        Thread drain = new Thread(() -> out.lines().forEach(l -> {}));
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(line.substring(line.lastIndexOf(' ') + 1));
      }
      seen.add(line);
    }
    throw new AssertionError("the hook exited before serving: " + String.join("\n", seen));
  }

  private static JsonNode sync(int port, String namespace) throws Exception {
    return sync(port, namespace, true);
  }

  private static JsonNode sync(int port, String namespace, boolean pipelines) throws Exception {
    Map<String, Object> labels =
        pipelines ? Map.of("pipelines.kubeflow.org/enabled", "true") : Map.of();
    Map<String, Object> request =
        Map.of(
            "object",
            Map.of(
                "apiVersion",
                "v1",
                "kind",
                "Namespace",
                "metadata",
                Map.of("name", namespace, "labels", labels)),
            "attachments",
            attachments());
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sync"))
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }

  /** What metacontroller sends for a namespace that has none of its attachments yet. */
  private static JsonNode attachments() {
    Map<String, Object> none = Map.of();
    return JSON.valueToTree(
        Map.of(
            "Secret.v1", none,
            "ConfigMap.v1", none,
            "Deployment.apps/v1", none,
            "Service.v1", none,
            "DestinationRule.networking.istio.io/v1alpha3", none,
            "AuthorizationPolicy.security.istio.io/v1beta1", none));
  }

  private static String decode(JsonNode b64) {
    return new String(Base64.getDecoder().decode(b64.asText()), StandardCharsets.UTF_8);
  }

  /** A Python 3 with botocore (26.03's hook imports it), or the test is skipped saying so. */
  private static String python() throws InterruptedException {
    for (String candidate : List.of("python3", "/usr/bin/python3")) {
      try {
        Process p =
            new ProcessBuilder(candidate, "-c", "import botocore")
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
          return candidate;
        }
      } catch (IOException e) {
        // not installed under this name
      }
    }
    // .ci/run installs python3-botocore: under CI a missing one fails instead of skipping
    Skips.unavailable(
        true,
        "no python3 with botocore here (apt-get install python3-botocore); the hook cannot run");
    return null;
  }

  /** An HTTP proxy that answers every request 502 and keeps its first line. */
  static final class Recorder implements AutoCloseable {
    private final ServerSocket socket;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    Recorder() throws IOException {
      socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try (Socket s = socket.accept()) {
                    BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    Optional.ofNullable(in.readLine()).ifPresent(requests::add);
                    OutputStream out = s.getOutputStream();
                    out.write(
                        "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                  } catch (IOException e) {
                    // closed, or the client went away
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }

    String url() {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }

    List<String> requests() {
      return List.copyOf(requests);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
