package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.testing.MariaDb;
import io.kfboot.storage.testing.S3Proxies;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/** {@code kfboot stores check} against a real MariaDB and a real s3proxy. */
class StoresCliTest {
  static final String PW = "kfp-Pa55-word";

  @TempDir Path tmp;

  Path inventory(MariaDb db, S3Proxies s3, String bucket) throws Exception {
    return Files.writeString(
        tmp.resolve("inventory.yaml"),
        "cluster: lab\nk3s:\n  token: {env: K3S_TOKEN}\nhosts:\n"
            + "  - {name: server-1, address: 10.0.0.11, role: server}\n"
            + "pipelines:\n"
            + "  database:\n    external:\n      host: 127.0.0.1\n      port: "
            + db.port
            + "\n      tls: false\n      user: kfp\n      passwordRef: {env: KFP_DB_PASSWORD}\n"
            + "  objectStore:\n    external:\n      endpoint: "
            + s3.store.endpoint()
            + "\n      bucket: "
            + bucket
            + "\n      pathStyle: true\n"
            + "      accessKeyRef: {env: S3_ACCESS}\n      secretKeyRef: {env: S3_SECRET}\n");
  }

  @Test
  void theStoresAreCheckedAsPipelinesWillUseThemAndAFailureExitsWithTheFix() throws Exception {
    try (MariaDb db = MariaDb.start(Files.createDirectories(tmp.resolve("db")), "root-Pa55");
        S3Proxies s3 = S3Proxies.start("kfp-access", "kfp-secret")) {
      db.sql(
          "CREATE USER 'kfp'@'127.0.0.1' IDENTIFIED BY '"
              + PW
              + "'; GRANT ALL ON *.* TO 'kfp'@'127.0.0.1';");
      try (S3Client c = s3.store.client()) {
        c.createBucket(b -> b.bucket("kubeflow-artifacts"));
      }
      Map<String, String> env = CliRun.env(tmp);
      env.put("KFP_DB_PASSWORD", PW);
      env.put("S3_ACCESS", "kfp-access");
      env.put("S3_SECRET", "kfp-secret");

      CliRun ok =
          CliRun.of(
              env,
              "stores",
              "check",
              "-o",
              "json",
              "-i",
              inventory(db, s3, "kubeflow-artifacts").toString());
      assertThat(ok.code()).as(ok.err()).isZero();
      JsonNode json = new ObjectMapper().readTree(ok.out());
      assertThat(json.get("stores")).hasSize(2);
      assertThat(json.get("stores").get(0).get("store").asText())
          .isEqualTo("pipelines.database.external");
      assertThat(json.get("stores").findValuesAsText("passed")).containsOnly("true");

      CliRun missing =
          CliRun.of(env, "stores", "check", "-i", inventory(db, s3, "no-such-bucket").toString());
      assertThat(missing.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(missing.out()).contains("ok    pipelines.database.external (mysql)");
      assertThat(missing.out()).contains("FAIL  pipelines.objectStore.external (s3)");
      assertThat(missing.err())
          .contains("the stores check failed for 1 store")
          .contains("no-such-bucket does not exist")
          .doesNotContain(PW)
          .doesNotContain("kfp-secret");

      env.put("KFP_DB_PASSWORD", "wrong");
      CliRun wrong =
          CliRun.of(
              env, "stores", "check", "-i", inventory(db, s3, "kubeflow-artifacts").toString());
      assertThat(wrong.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(wrong.err()).contains("pipelines.database.external.passwordRef");
    }
  }

  @Test
  void anInventoryWithoutExternalStoresHasNothingToCheck() throws Exception {
    Path plain =
        Files.writeString(
            tmp.resolve("plain.yaml"),
            "cluster: lab\nk3s:\n  token: {env: K3S_TOKEN}\nhosts:\n"
                + "  - {name: server-1, address: 10.0.0.11, role: server}\n");
    CliRun r = CliRun.of(CliRun.env(tmp), "stores", "check", "-i", plain.toString());
    assertThat(r.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(r.err()).contains("no external stores to check").contains("docs/stores.md");
  }

  @Test
  void aSwitchNeedsAClusterKfbootInstalledAndOtherwiseChangesNothing() throws Exception {
    try (MariaDb db = MariaDb.start(Files.createDirectories(tmp.resolve("db")), "root-Pa55");
        S3Proxies s3 = S3Proxies.start("kfp-access", "kfp-secret");
        SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      CliRun r =
          CliRun.of(
              CliRun.env(tmp),
              "stores",
              "switch",
              "--kubeconfig",
              CliRun.kubeconfig(tmp, cluster).toString(),
              "-i",
              inventory(db, s3, "kubeflow-artifacts").toString());
      assertThat(r.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(r.err())
          .contains("kfboot has installed nothing on this cluster")
          .contains("install with the external stores in the inventory instead");
      assertThat(client.namespaces().list().getItems()).as("nothing changed").isEmpty();
    }
  }
}
