package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.host.RecordingHostOperator;
import io.kfboot.bootstrap.k3s.Datastore;
import io.kfboot.components.testing.LocalPodExec;
import io.kfboot.components.testing.MariaDb;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.storage.objectstore.StoreAccess;
import io.kfboot.storage.testing.S3Proxies;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import io.kfboot.verify.wait.Waiter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code kfboot backup} and {@code kfboot restore} as the platform composes them, against the
 * simulated cluster for the API, a real MariaDB for the databases (the pods' part played here), a
 * real S3 server (s3proxy) for the bucket, and a recording server for the k3s datastore.
 */
@Requires(Need.MARIADB)
class BackupRestoreTest {
  private static final String PIPELINES_PW = "pipe\"line #pw";
  private static final String KATIB_PW = "katib-root";
  private static final String SECRET_KEY = "minio123-secret";

  @TempDir Path tmp;
  private final List<String> progress = new ArrayList<>();

  @Test
  @DisplayName(
      "backup: dumps, bucket objects, etcd snapshot and token as 0600 files with checksums in"
          + " backup.json (no secret in it); restore after the data is lost: volumes emptied,"
          + " every row and object back, the manifest refusing a tampered file")
  void backupThenRestore() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient();
        MariaDb db = MariaDb.start(Files.createDirectories(tmp.resolve("db")), KATIB_PW);
        S3Proxies minio = S3Proxies.start("minio", SECRET_KEY)) {
      db.sql(
          "CREATE USER 'kfp'@'127.0.0.1' IDENTIFIED BY 'pipe\"line #pw'; GRANT ALL ON *.* TO"
              + " 'kfp'@'127.0.0.1'; CREATE DATABASE mlpipeline; CREATE DATABASE cachedb; CREATE"
              + " DATABASE metadb; CREATE DATABASE katib; CREATE TABLE mlpipeline.run_details"
              + " (UUID varchar(64) PRIMARY KEY, Conditions varchar(64)); INSERT INTO"
              + " mlpipeline.run_details VALUES ('r1','Succeeded'),('r2','Failed'); CREATE TABLE"
              + " katib.observation_logs (trial varchar(64), metric double); INSERT INTO"
              + " katib.observation_logs VALUES ('t1', 0.93);");
      try (S3Client s3 = minio.store.client()) {
        s3.createBucket(b -> b.bucket("mlpipeline"));
        s3.putObject(
            b -> b.bucket("mlpipeline").key("artifacts/run-1/model.bin"),
            RequestBody.fromBytes(new byte[64 * 1024]));
        s3.putObject(
            b -> b.bucket("mlpipeline").key("artifacts/run-2/metrics.json"),
            RequestBody.fromString("{\"acc\": 0.9}"));
      }
      installedRelease(client);
      LocalPodExec exec = new LocalPodExec().port(3306, db.port);
      StoreAccess stores = StorePods.direct(minio.store);
      RecordingHostOperator server =
          new RecordingHostOperator("cp-1")
              .on("/etcd ]; then echo etcd", 0, "etcd\n")
              .on("ls -1 -- " + Datastore.DB + "/snapshots/", 0, "snap-cp-1-1764\n")
              .file(Datastore.SERVER_TOKEN, "K10tok::server:hush\n");
      Path dir = tmp.resolve("backups/lab/v1.10.2-now");
      String snapshotDir = Datastore.DB + "/snapshots/kfboot-" + dir.getFileName();
      server.file(snapshotDir + "/snap-cp-1-1764", "etcd snapshot bytes");

      BackupManifest m =
          new Backups(
                  client,
                  exec,
                  stores,
                  new Datastore(Duration.ofMinutes(1), progress::add),
                  progress::add)
              .take(
                  Backups.deploymentsOn(client),
                  "v1.10.2",
                  "lab",
                  new Backups.Request(dir, true, List.<HostOperator>of(server)));

      assertThat(m.files().keySet())
          .contains(
              "pipelines.sql",
              "katib.sql",
              "bucket-mlpipeline.json",
              "etcd-snapshot",
              "k3s-server-token");
      assertThat(m.databases())
          .extracting(BackupManifest.Database::user)
          .containsExactly("kfp", "root");
      assertThat(m.buckets()).singleElement().satisfies(b -> assertThat(b.objects()).isEqualTo(2));
      assertThat(m.datastore().kind()).isEqualTo("ETCD");
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
              .as(f.toString())
              .isEqualTo("rw-------");
        }
      }
      String manifest = Files.readString(dir.resolve(BackupManifest.FILE));
      assertThat(manifest)
          .doesNotContain(PIPELINES_PW)
          .doesNotContain(KATIB_PW)
          .doesNotContain(SECRET_KEY)
          .doesNotContain("hush");
      assertThat(String.join("\n", progress)).doesNotContain("hush").doesNotContain(SECRET_KEY);
      assertThat(exec.ran())
          .allSatisfy(argv -> assertThat(String.join(" ", argv)).doesNotContain("pw"));

      // the data is lost
      db.sql("DROP DATABASE mlpipeline; DELETE FROM katib.observation_logs;");
      try (S3Client s3 = minio.store.client()) {
        s3.deleteObject(b -> b.bucket("mlpipeline").key("artifacts/run-1/model.bin"));
      }
      String claimUid =
          client
              .persistentVolumeClaims()
              .inNamespace("kubeflow")
              .withName("mysql-pv-claim")
              .get()
              .getMetadata()
              .getUid();

      SettingsInput in = new SettingsInput();
      in.timeout = Duration.ofMinutes(2);
      PlatformSettings settings = PlatformSettings.resolve(in, Map.of("HOME", tmp.toString()));
      Restores restores = new Restores(settings, PlatformListener.SILENT);
      Restores.Request request = new Restores.Request(dir, false, true, true, true);
      assertThat(restores.plan(request).steps())
          .containsExactly(
              "empty the volumes of Deployment kubeflow/mysql (scaled to 0, claims made again)",
              "load pipelines.sql (mlpipeline, cachedb, metadb) into app=mysql in kubeflow",
              "empty the volumes of Deployment kubeflow/katib-mysql (scaled to 0, claims made"
                  + " again)",
              "load katib.sql (katib) into katib.kubeflow.org/component=mysql in kubeflow",
              "put back what bucket mlpipeline lacks of its 2 saved objects (app=minio)");
      restores.run(
          client,
          new Waiter(Duration.ofMillis(10), new ClusterDiagnostics(client), Waiter.Listener.NONE),
          BackupManifest.read(dir),
          request,
          exec,
          stores);

      assertThat(db.sql("SELECT UUID, Conditions FROM mlpipeline.run_details ORDER BY UUID"))
          .isEqualTo("r1\tSucceeded\nr2\tFailed\n");
      assertThat(db.sql("SELECT trial, metric FROM katib.observation_logs"))
          .isEqualTo("t1\t0.93\n");
      try (S3Client s3 = minio.store.client()) {
        assertThat(
                s3.getObjectAsBytes(b -> b.bucket("mlpipeline").key("artifacts/run-1/model.bin"))
                    .asByteArray())
            .hasSize(64 * 1024);
      }
      PersistentVolumeClaim claim =
          client.persistentVolumeClaims().inNamespace("kubeflow").withName("mysql-pv-claim").get();
      assertThat(claim.getMetadata().getUid()).isNotEqualTo(claimUid);
      assertThat(claim.getSpec().getResources().getRequests().get("storage"))
          .isEqualTo(new Quantity("20Gi"));
      assertThat(
              client
                  .apps()
                  .deployments()
                  .inNamespace("kubeflow")
                  .withName("mysql")
                  .get()
                  .getSpec()
                  .getReplicas())
          .isEqualTo(1);

      // a file changed after the backup is refused before anything is restored
      Files.writeString(dir.resolve("katib.sql"), "-- Dump completed\n");
      assertThatThrownBy(() -> restores.plan(request))
          .isInstanceOfSatisfying(
              KfbootException.class,
              e -> {
                assertThat(e.getMessage()).contains("katib.sql").contains("SHA-256");
                assertThat(e.category()).isEqualTo(ExitCategory.INTEGRITY);
              });
      assertThatThrownBy(
              () ->
                  restores.plan(
                      new Restores.Request(tmp.resolve("nowhere"), false, true, false, false)))
          .hasMessageContaining("there is no such file");
    }
  }

  @Test
  @DisplayName(
      "a backup folder that cannot be written fails before anything is taken, naming the folder")
  void unwritableFolderChangesNothing() throws Exception {
    Path file = Files.writeString(tmp.resolve("in-the-way"), "x");
    LocalPodExec exec = new LocalPodExec();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      assertThatThrownBy(
              () ->
                  new Backups(
                          client,
                          exec,
                          (ns, pod, port, ak, sk) -> {
                            throw new AssertionError("no store is reached");
                          },
                          new Datastore(Duration.ofMinutes(1), progress::add),
                          progress::add)
                      .take(
                          ref -> true,
                          "v1.10.2",
                          "lab",
                          new Backups.Request(file.resolve("sub"), false, List.of())))
          .isInstanceOfSatisfying(
              KfbootException.class,
              e -> {
                assertThat(e.getMessage()).contains(file.resolve("sub").toString());
                assertThat(e.category()).isEqualTo(ExitCategory.INVALID_INPUT);
                assertThat(e.fix()).contains("--backup-dir");
              });
      assertThat(exec.ran()).isEmpty();
    }
  }

  /** What v1.10.2 leaves that the backup reads: its databases' and store's objects and pods. */
  private static void installedRelease(KubernetesClient client) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName("kubeflow").endMetadata().build())
        .create();
    secret(client, "mysql-secret", Map.of("username", "kfp", "password", PIPELINES_PW));
    secret(client, "katib-mysql-secrets", Map.of("MYSQL_ROOT_PASSWORD", KATIB_PW));
    secret(
        client, "mlpipeline-minio-artifact", Map.of("accesskey", "minio", "secretkey", SECRET_KEY));
    client
        .configMaps()
        .inNamespace("kubeflow")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("pipeline-install-config")
                .endMetadata()
                .addToData("pipelineDb", "mlpipeline")
                .build())
        .create();
    deployment(client, "mysql", "app", "mysql", "mysql-pv-claim");
    deployment(client, "katib-mysql", "katib.kubeflow.org/component", "mysql", "katib-mysql");
    deployment(client, "minio", "app", "minio", null);
    StorePods.running(
        client,
        "kubeflow",
        List.of(
            new StorePods.Pod("mysql-0", "app", "mysql"),
            new StorePods.Pod("katib-mysql-0", "katib.kubeflow.org/component", "mysql"),
            new StorePods.Pod("minio-0", "app", "minio")));
  }

  private static void secret(KubernetesClient client, String name, Map<String, String> data) {
    SecretBuilder b = new SecretBuilder().withNewMetadata().withName(name).endMetadata();
    data.forEach(
        (k, v) ->
            b.addToData(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    client.secrets().inNamespace("kubeflow").resource(b.build()).create();
  }

  private static void deployment(
      KubernetesClient client, String name, String label, String value, String claim) {
    var spec =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withReplicas(1)
            .withNewSelector()
            .addToMatchLabels(label, value)
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels(label, value)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("main")
            .withImage("db")
            .endContainer();
    if (claim != null) {
      spec =
          spec.addNewVolume()
              .withName("data")
              .withNewPersistentVolumeClaim()
              .withClaimName(claim)
              .endPersistentVolumeClaim()
              .endVolume();
      client
          .persistentVolumeClaims()
          .inNamespace("kubeflow")
          .resource(
              new PersistentVolumeClaimBuilder()
                  .withNewMetadata()
                  .withName(claim)
                  .addToAnnotations("pv.kubernetes.io/bind-completed", "yes")
                  .endMetadata()
                  .withNewSpec()
                  .withAccessModes("ReadWriteOnce")
                  .withNewResources()
                  .addToRequests("storage", new Quantity("20Gi"))
                  .endResources()
                  .withVolumeName("pvc-old")
                  .endSpec()
                  .build())
          .create();
    }
    client
        .apps()
        .deployments()
        .inNamespace("kubeflow")
        .resource(spec.endSpec().endTemplate().endSpec().build())
        .create();
  }
}
