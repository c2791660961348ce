package io.kfboot.components.stores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.access.AccessConfigLoader;
import io.kfboot.components.auth.SecretRef;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoresConfigReaderTest {
  static final String TEAM =
      """
      cluster: lab
      pipelines:
        database:
          external:
            host: db.lab.example
            user: kfp
            passwordRef: {env: KFP_DB_PASSWORD}
            databases: {metadata: kfp_metadata}
        objectStore:
          external:
            endpoint: https://s3.lab.example
            region: eu-central-1
            bucket: kubeflow-artifacts
            pathStyle: true
            accessKeyRef: {env: S3_ACCESS_KEY}
            secretKeyRef: {file: s3-secret.key}
      katib:
        database:
          external:
            host: db.lab.example
            port: 3307
            tls: false
            user: katib
            passwordRef: {env: KATIB_DB_PASSWORD}
      """;

  static StoresConfig parse(String text) {
    return AccessConfigLoader.parseStores(text, "inventory.yaml", Path.of("/srv/kfboot"));
  }

  @Test
  void aTeamsExternalStoresAreReadWithDefaultsAndReferencesOnly() {
    StoresConfig s = parse(TEAM);
    StoresConfig.Database db = s.pipelinesDb().orElseThrow();
    assertThat(db.where()).isEqualTo("pipelines.database.external");
    assertThat(db.port()).isEqualTo(3306);
    assertThat(db.tls()).as("TLS unless told otherwise").isTrue();
    assertThat(db.password()).isEqualTo(SecretRef.ofEnv("KFP_DB_PASSWORD"));
    assertThat(db.databases())
        .isEqualTo(
            Map.of("pipelines", "mlpipeline", "cache", "cachedb", "metadata", "kfp_metadata"));
    StoresConfig.ObjectStore store = s.pipelinesStore().orElseThrow();
    assertThat(store.endpoint()).isEqualTo(URI.create("https://s3.lab.example"));
    assertThat(store.tls()).isTrue();
    assertThat(store.port()).isEqualTo(443);
    assertThat(store.secretKey()).isEqualTo(SecretRef.ofFile(Path.of("/srv/kfboot/s3-secret.key")));
    StoresConfig.Database katib = s.katibDb().orElseThrow();
    assertThat(katib.port()).isEqualTo(3307);
    assertThat(katib.tls()).isFalse();
    assertThat(katib.databases()).isEqualTo(Map.of("katib", "katib"));
    assertThat(s.anyExternal()).isTrue();
  }

  @Test
  void aCaFileIsForTlsAndMustBeReadable(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("db-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    String db =
        "pipelines:\n  database:\n    external:\n      host: db\n      user: kfp\n"
            + "      passwordRef: {env: P}\n";
    StoresConfig ok =
        AccessConfigLoader.parseStores(db + "      caFile: db-ca.pem\n", "inventory.yaml", dir);
    assertThat(ok.pipelinesDb().orElseThrow().caFile()).isEqualTo(dir.resolve("db-ca.pem"));
    assertThatThrownBy(
            () ->
                AccessConfigLoader.parseStores(
                    db + "      caFile: missing.pem\n", "inventory.yaml", dir))
        .hasMessageContaining("line 7: pipelines.database.external.caFile")
        .hasMessageContaining("cannot be read");
    assertThatThrownBy(
            () ->
                AccessConfigLoader.parseStores(
                    db + "      tls: false\n      caFile: db-ca.pem\n", "inventory.yaml", dir))
        .hasMessageContaining("caFile is only for tls: true");
  }

  @Test
  void aPasswordMayBeASecretTheSiteKeepsOnTheClusterButNotBothKinds() {
    String db = "pipelines:\n  database:\n    external:\n      host: db\n      user: kfp\n";
    StoresConfig.Database d =
        parse(db + "      secretRef: {name: kfp-db}\n").pipelinesDb().orElseThrow();
    assertThat(d.passwordSecret()).isEqualTo(new StoresConfig.ClusterSecret("kfp-db", "password"));
    assertThat(d.password()).isNull();
    assertThat(d.passwordField()).isEqualTo("pipelines.database.external.secretRef");
    assertThat(d.passwordSource()).isEqualTo("Secret kubeflow/kfp-db key password");
    assertThat(
            parse(db + "      secretRef: {name: kfp-db, key: pw}\n")
                .pipelinesDb()
                .orElseThrow()
                .passwordSecret()
                .key())
        .isEqualTo("pw");
    assertThatThrownBy(
            () -> parse(db + "      passwordRef: {env: P}\n      secretRef: {name: kfp-db}\n"))
        .hasMessageContaining("give passwordRef or secretRef, not both");
    assertThatThrownBy(() -> parse(db + "      secretRef: kfp-db\n"))
        .hasMessageContaining("secretRef must be {name: SECRET, key: KEY}");
    assertThatThrownBy(() -> parse(db + "      secretRef: {name: Kfp_DB}\n"))
        .hasMessageContaining("'Kfp_DB' is no Kubernetes object name");
    assertThatThrownBy(() -> parse(db))
        .hasMessageContaining("pipelines.database.external.passwordRef is missing");
  }

  @Test
  void anObjectStoresTlsFollowsItsEndpointAndMayOnlyAgreeWithIt() {
    String store =
        "pipelines:\n  objectStore:\n    external:\n      endpoint: %s\n      bucket: b-1\n"
            + "      accessKeyRef: {env: A}\n      secretKeyRef: {env: S}\n      tls: %s\n";
    assertThat(parse(String.format(store, "https://s3.lab", "true")).pipelinesStore().get().tls())
        .isTrue();
    assertThat(
            parse(String.format(store, "http://10.0.0.9:9000", "false"))
                .pipelinesStore()
                .get()
                .tls())
        .isFalse();
    assertThatThrownBy(() -> parse(String.format(store, "http://10.0.0.9:9000", "true")))
        .hasMessageContaining(
            "line 8: pipelines.objectStore.external.tls: true contradicts the"
                + " endpoint http://10.0.0.9:9000");
  }

  @Test
  void noSectionsKeepTheInClusterStores() {
    StoresConfig s = parse("cluster: lab\npipelines:\n  database: {inCluster: true}\n");
    assertThat(s).isEqualTo(StoresConfig.DEFAULTS);
    assertThat(s.anyExternal()).isFalse();
  }

  @Test
  void everyMistakeIsNamedWithItsLineAndNoSecretIsEchoed() {
    String bad =
        """
        pipelines:
          database:
            external:
              host: db.lab.example
              user: kfp
              passwordRef: hunter2
              databases: {pipelines: same, cache: same, lineage: x}
          objectStore:
            external:
              endpoint: s3.lab.example/bucket
              bucket: Kubeflow_Artifacts
              accessKeyRef: {env: S3_ACCESS_KEY}
        katib:
          database: {external: {host: db, user: katib, passwordRef: {env: P}}, inCluster: true}
        """;
    assertThatThrownBy(() -> parse(bad))
        .isInstanceOf(KfbootException.class)
        .satisfies(
            e -> {
              assertThat(((KfbootException) e).category()).isEqualTo(ExitCategory.INVALID_INPUT);
              assertThat(e.getMessage())
                  .contains(
                      "line 6: pipelines.database.external.passwordRef is a secret and may not be"
                          + " written inline; give it as {env: VARIABLE} or {file: PATH}")
                  .contains("line 7: pipelines.database.external.databases: 'lineage' is none of")
                  .contains("each role needs a database of its own")
                  .contains(
                      "pipelines.objectStore.external.endpoint 's3.lab.example/bucket' must be")
                  .contains("bucket 'Kubeflow_Artifacts' is no S3 bucket name")
                  .contains("pipelines.objectStore.external.secretKeyRef is missing")
                  .contains("katib.database: give external or inCluster: true, not both")
                  .doesNotContain("hunter2");
            });
  }
}
