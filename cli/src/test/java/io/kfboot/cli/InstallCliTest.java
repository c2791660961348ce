package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.verify.http.FakeKubeflowGateway;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Properties;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** kfboot install, status and uninstall end to end, against the simulated cluster. */
class InstallCliTest {
  @TempDir Path tmp;

  private static CliRun run(Map<String, String> env, String... args) {
    return CliRun.of(env, args);
  }

  private Path kubeconfig(SimulatedCluster cluster) throws Exception {
    return CliRun.kubeconfig(tmp, cluster);
  }

  @Test
  void installStatusRerunUninstall() throws Exception {
    String tarball = Fixtures.tarball(Fixtures.V1_10_2).toString();
    Fixtures.kustomize();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      Map<String, String> env = CliRun.env(tmp);
      env.put("KUBECONFIG", kubeconfig(cluster).toString());
      env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
      env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
      env.remove("KFBOOT_CREDENTIALS");
      env.remove("KFBOOT_ADMIN_EMAIL");
      cluster.node(
          "gpu-1",
          Map.of("nvidia.com/gpu.present", "true", "nvidia.com/gpu.count", "1"),
          Map.of("nvidia.com/gpu", "1"));

      CliRun before = run(env, "status");
      assertThat(before.code()).isEqualTo(ExitCodes.UNEXPECTED_STATE);
      assertThat(before.out()).contains("installed nothing");

      String[] install = {
        "install",
        "--manifests",
        tarball,
        "--admin-email",
        "admin@example.org",
        "--poll-interval",
        "10ms",
        "--timeout",
        "30s",
        "--no-watch",
        "--gpu"
      };
      CliRun first = run(env, install);
      assertThat(first.code()).as(first.err()).isZero();
      assertThat(first.out())
          .contains("kubeflow/manifests v1.10.2 installed")
          .contains("Generated password (shown this once)");
      assertThat(first.err())
          .contains("cert-manager: started")
          .contains("waiting for")
          .contains("pipelines: done")
          .contains("storage: done")
          .contains("nvidia-device-plugin: done");
      assertThat(first.out()).contains("storage");

      Path credentials = tmp.resolve("config/kfboot/credentials/sim.properties");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)))
          .isEqualTo("rw-------");
      Properties p = new Properties();
      try (var r = Files.newBufferedReader(credentials)) {
        p.load(r);
      }
      String password = p.getProperty("adminPassword");
      assertThat(first.out()).contains(password);
      assertThat(first.err())
          .as("no secret in progress output")
          .doesNotContain(
              password, p.getProperty("oidcClientSecret"), p.getProperty("cookieSecret"));

      CliRun second = run(env, install);
      assertThat(second.code()).as(second.err()).isZero();
      assertThat(second.out())
          .contains("nothing changed")
          .doesNotContain(password)
          .doesNotContain("Generated password");

      CliRun status = run(env, "status", "-o", "json");
      assertThat(status.code()).isZero();
      JsonNode json = new ObjectMapper().readTree(status.out());
      assertThat(json.get("release").asText()).isEqualTo("v1.10.2");
      assertThat(json.get("phase").asText()).isEqualTo("installed");
      assertThat(json.get("components"))
          .hasSize(31)
          .anyMatch(c -> c.asText().equals("nvidia-device-plugin"))
          .anyMatch(c -> c.asText().equals("storage"));

      cluster.podLog(
          "kfboot-smoke",
          "cuda-vectoradd",
          "[Vector addition of 50000 elements]\nTest PASSED\nDone\n");
      Path junit = tmp.resolve("verify.xml");
      CliRun verify;
      // what the profile controller makes for the user's profile: the namespace and its
      // default-editor
      try (var c = cluster.newClient()) {
        if (c.namespaces().withName("kubeflow-user-example-com").get() == null) {
          c.namespaces()
              .resource(
                  new NamespaceBuilder()
                      .withNewMetadata()
                      .withName("kubeflow-user-example-com")
                      .endMetadata()
                      .build())
              .create();
        }
        c.serviceAccounts()
            .inNamespace("kubeflow-user-example-com")
            .resource(
                new ServiceAccountBuilder()
                    .withNewMetadata()
                    .withName("default-editor")
                    .withNamespace("kubeflow-user-example-com")
                    .endMetadata()
                    .build())
            .createOr(x -> x.update());
      }
      try (FakeKubeflowGateway gateway = new FakeKubeflowGateway("admin@example.org", password)) {
        gateway.serviceAccountTokens.add(
            SimulatedCluster.serviceAccountToken("kubeflow-user-example-com", "default-editor"));
        assertThat(run(env, "verify", "--list").out())
            .contains("training-job")
            .contains("katib-experiment")
            .contains("notebook")
            .contains("inference-service");
        // the simulated cluster runs no training-operator, Katib, notebook controller or KServe:
        // ResourceRunCheckTest covers those
        verify =
            run(
                env,
                "verify",
                "--report-junit",
                junit.toString(),
                "--timeout",
                "30s",
                "--poll-interval",
                "20ms",
                "--gateway-url",
                gateway.url().toString(),
                "--skip",
                "training-job,katib-experiment,notebook,inference-service");
        assertThat(gateway.refused).isEmpty();
      }
      assertThat(verify.code()).as(verify.out() + verify.err()).isZero();
      assertThat(verify.out())
          .contains("nodes-ready")
          .contains("storage-probe")
          .contains("gpu-cuda-smoke")
          .contains("logged in as admin@example.org")
          .contains("SUCCEEDED; recurring run created and deleted")
          .contains("0 failed, 0 skipped")
          .doesNotContain(password);
      Document doc =
          DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
      assertThat(doc.getDocumentElement().getAttribute("failures")).isEqualTo("0");
      assertThat(doc.getElementsByTagName("testcase").getLength()).isEqualTo(10);

      // 'kfboot down' of the inventory that made the cluster (context = the inventory's cluster
      // name), Kubeflow only
      Path inventory =
          Files.writeString(
              tmp.resolve("inventory.yaml"),
              """
              cluster: sim
              k3s: {token: {env: K3S_TOKEN}}
              hosts: [{name: box, address: 127.0.0.1, role: server}]
              """);
      CliRun uninstall = run(env, "down", "-i", inventory.toString(), "--keep-cluster");
      assertThat(uninstall.code()).as(uninstall.err()).isZero();
      assertThat(uninstall.out())
          .startsWith("removed: ")
          .contains("nvidia-device-plugin")
          .doesNotContain("storage");
      assertThat(cluster.newClient().storage().v1().storageClasses().withName("local-path").get())
          .as("storage stays")
          .isNotNull();
      assertThat(run(env, "status").code()).isEqualTo(ExitCodes.UNEXPECTED_STATE);
    }
  }

  @Test
  void anotherUsersCredentialsFileIsRefusedBeforeAnyWrite() throws Exception {
    String tarball = Fixtures.tarball(Fixtures.V1_10_2).toString();
    Fixtures.kustomize();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast())) {
      Map<String, String> env = CliRun.env(tmp);
      env.put("KUBECONFIG", kubeconfig(cluster).toString());
      Path file = tmp.resolve("creds.properties");
      Files.writeString(
          file,
          "adminEmail=someone@example.org\n"
              + "adminPassword=x\n"
              + "passwordHash=y\n"
              + "oidcClientSecret=z\n"
              + "cookieSecret=w\n");
      CliRun r =
          run(
              env,
              "install",
              "-q",
              "--manifests",
              tarball,
              "--credentials",
              file.toString(),
              "--components",
              "cert-manager");
      assertThat(r.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(r.err()).contains("is for someone@example.org").contains("fix:");
      assertThat(cluster.writes()).isEmpty();
    }
  }
}
