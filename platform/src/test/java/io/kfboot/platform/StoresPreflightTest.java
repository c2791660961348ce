package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.check.CheckResult;
import io.kfboot.components.testing.MariaDb;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An install with an external database that refuses kfboot stops before anything is applied. */
class StoresPreflightTest {
  @TempDir Path tmp;

  @Test
  void aWrongDatabasePasswordStopsTheInstallWithNothingApplied() throws Exception {
    try (MariaDb db = MariaDb.start(Files.createDirectories(tmp.resolve("db")), "root-Pa55");
        SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      db.sql("CREATE USER 'kfp'@'127.0.0.1' IDENTIFIED BY 'right-Pa55';");
      Path inventory =
          Files.writeString(
              tmp.resolve("inventory.yaml"),
              "cluster: lab\nk3s:\n  token: {env: K3S_TOKEN}\nhosts:\n"
                  + "  - {name: server-1, address: 10.0.0.11, role: server}\n"
                  + "katib:\n  database:\n    external:\n      host: 127.0.0.1\n      port: "
                  + db.port
                  + "\n      tls: false\n      user: kfp\n"
                  + "      passwordRef: {env: KATIB_DB_PASSWORD}\n");
      SettingsInput in = new SettingsInput();
      in.manifests = Fixtures.tarball(Fixtures.V1_10_2).toString();
      in.inventory = inventory;
      in.kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), cluster.kubeconfig());
      in.quiet = true;
      Map<String, String> env = new HashMap<>(Map.of("HOME", tmp.toString()));
      env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
      env.put("KATIB_DB_PASSWORD", "wrong-Pa55");
      PlatformSettings settings = PlatformSettings.resolve(in, env);

      assertThatThrownBy(() -> new Installation(settings, PlatformListener.SILENT).install())
          .isInstanceOf(KfbootException.class)
          .hasMessageContaining("the stores check failed for 1 store")
          .hasMessageContaining("katib.database.external.passwordRef: the server refused kfp")
          .hasMessageNotContaining("wrong-Pa55")
          .satisfies(
              e ->
                  assertThat(((KfbootException) e).category())
                      .isEqualTo(ExitCategory.INVALID_INPUT));
      assertThat(client.namespaces().list().getItems()).as("nothing applied").isEmpty();
      assertThat(tmp.resolve("config/kfboot/credentials")).as("no credentials made").doesNotExist();

      in.noStoreCheck = true;
      assertThat(PlatformSettings.resolve(in, env).storeCheck()).isFalse();

      // with the right password: installed without Katib's own MySQL, pointed at the server
      in.noStoreCheck = false;
      in.timeout = Duration.ofSeconds(60);
      in.pollInterval = Duration.ofMillis(10);
      in.noWatch = true;
      in.components.add("katib");
      env.put("KATIB_DB_PASSWORD", "right-Pa55");
      env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
      env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
      db.sql("GRANT ALL ON katib.* TO 'kfp'@'127.0.0.1';");
      cluster.node("server-1", Map.of(), Map.of());
      Fixtures.kustomize();
      new Installation(PlatformSettings.resolve(in, env), PlatformListener.SILENT).install();
      assertThat(client.apps().deployments().inNamespace("kubeflow").withName("katib-mysql").get())
          .isNull();
      assertThat(
              client
                  .apps()
                  .deployments()
                  .inNamespace("kubeflow")
                  .withName("katib-db-manager")
                  .get())
          .isNotNull();
      Secret katib = client.secrets().inNamespace("kubeflow").withName("katib-mysql-secrets").get();
      assertThat(
              new String(
                  Base64.getDecoder().decode(katib.getData().get("KATIB_MYSQL_DB_PORT")),
                  StandardCharsets.UTF_8))
          .isEqualTo(String.valueOf(db.port));
    }
  }

  @Test
  void aSitesSecretOnTheClusterIsWhatTheCheckLogsInWith() throws Exception {
    try (MariaDb db = MariaDb.start(Files.createDirectories(tmp.resolve("db")), "root-Pa55");
        SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      db.sql(
          "CREATE USER 'katib'@'127.0.0.1' IDENTIFIED BY 'site-Pa55'; GRANT ALL ON katib.* TO"
              + " 'katib'@'127.0.0.1';");
      SettingsInput in = new SettingsInput();
      in.inventory =
          Files.writeString(
              tmp.resolve("inventory.yaml"),
              "cluster: lab\nk3s:\n  token: {env: K3S_TOKEN}\nhosts:\n"
                  + "  - {name: server-1, address: 10.0.0.11, role: server}\n"
                  + "katib:\n  database:\n    external:\n      host: 127.0.0.1\n      port: "
                  + db.port
                  + "\n      tls: false\n      user: katib\n      secretRef: {name: katib-db}\n");
      in.kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), cluster.kubeconfig());
      Map<String, String> env = Map.of("HOME", tmp.toString());
      StoresChecks checks =
          new StoresChecks(PlatformSettings.resolve(in, env), PlatformListener.SILENT);

      assertThatThrownBy(checks::run)
          .isInstanceOf(KfbootException.class)
          .hasMessageContaining(
              "katib.database.external.secretRef: Secret kubeflow/katib-db is not on the cluster")
          .satisfies(
              e ->
                  assertThat(((KfbootException) e).fix())
                      .contains("kubectl -n kubeflow create secret generic katib-db"));

      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName("kubeflow").endMetadata().build())
          .create();
      client
          .secrets()
          .inNamespace("kubeflow")
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("katib-db")
                  .endMetadata()
                  .addToData(
                      "password",
                      Base64.getEncoder().encodeToString("wrong".getBytes(StandardCharsets.UTF_8)))
                  .build())
          .create();
      List<CheckResult> wrong = checks.run();
      assertThat(wrong).singleElement().satisfies(r -> assertThat(r.passed()).isFalse());
      assertThat(wrong.get(0).problem())
          .contains("katib.database.external.secretRef: the server refused katib")
          .doesNotContain("wrong");
      assertThat(wrong.get(0).fix()).contains("Secret kubeflow/katib-db key password");

      client
          .secrets()
          .inNamespace("kubeflow")
          .withName("katib-db")
          .edit(
              x -> {
                x.getData()
                    .put(
                        "password",
                        Base64.getEncoder()
                            .encodeToString("site-Pa55".getBytes(StandardCharsets.UTF_8)));
                return x;
              });
      assertThat(checks.run()).singleElement().satisfies(r -> assertThat(r.passed()).isTrue());
    }
  }
}
