package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kfboot.bootstrap.k3s.Datastore;
import io.kfboot.components.install.InstallBenchmark;
import io.kfboot.components.install.InstallListener;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.RetryPolicy;
import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.testing.LocalPodExec;
import io.kfboot.components.testing.MariaDb;
import io.kfboot.components.upgrade.BucketCopier;
import io.kfboot.components.upgrade.Upgrader;
import io.kfboot.components.upgrade.UpgraderTest;
import io.kfboot.storage.objectstore.BucketCopy;
import io.kfboot.storage.objectstore.S3Store;
import io.kfboot.storage.testing.S3Proxies;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Random;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code bench/run upgrade}: v1.10.2 -> 26.03 on the simulated cluster against a fresh install of
 * 26.03, with the install benchmark's latencies, in one run; then the upgrade run again on the
 * upgraded cluster. The upgrade's time includes its backup (real mysqldumps of a MariaDB holding
 * Pipelines' and Katib's databases, the bucket's listing from an s3proxy) and its bucket copy
 * (every object from one s3proxy into another): the simulated API server has no pods/exec or
 * port-forward, so those run against the local servers directly.
 */
public final class UpgradeBenchmark {
  private static final String PASSWORD = "bench-pw";

  private UpgradeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Installer.Options options =
        new Installer.Options(
            Installer.Options.DEFAULT.parallelism(),
            Duration.ofMinutes(2),
            InstallBenchmark.POLL,
            RetryPolicy.DEFAULT,
            true);
    InstallPlan from = SimulatedPlans.of("v1.10.2");
    InstallPlan to = SimulatedPlans.of("26.03");

    double fresh;
    try (SimulatedCluster cluster = SimulatedCluster.start(InstallBenchmark.LATENCIES);
        KubernetesClient client = cluster.newClient()) {
      long t0 = System.nanoTime();
      new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client))
          .install(to);
      fresh = (System.nanoTime() - t0) / 1e9;
    }
    System.out.printf("fresh install of 26.03: %.1fs%n", fresh);

    Path tmp = Files.createTempDirectory("kfboot-upgrade-bench");
    double backup;
    double upgrade;
    double rerun;
    try (SimulatedCluster cluster = SimulatedCluster.start(InstallBenchmark.LATENCIES);
        KubernetesClient client = cluster.newClient();
        MariaDb db = MariaDb.start(Files.createDirectories(tmp.resolve("db")), PASSWORD);
        S3Proxies minio = S3Proxies.start("minio", "minio123");
        S3Proxies seaweedfs = S3Proxies.start("minio", "minio123")) {
      new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client))
          .install(from);
      Upgrader.Request r = UpgraderTest.prepareData(client);
      pipelinesData(db);
      int objects = artifacts(minio.store);
      databasePods(client);

      long t0 = System.nanoTime();
      BackupManifest m =
          new Backups(
                  client,
                  new LocalPodExec().port(3306, db.port),
                  StorePods.direct(minio.store),
                  new Datastore(Duration.ofMinutes(1), s -> {}),
                  s -> {})
              .take(
                  Backups.deploymentsOf(r.from()),
                  "v1.10.2",
                  "bench",
                  new Backups.Request(tmp.resolve("backup"), false, List.of()));
      backup = (System.nanoTime() - t0) / 1e9;
      Upgrader upgrader =
          new Upgrader(
              client,
              options,
              InstallListener.NONE,
              new ClusterDiagnostics(client),
              job -> {
                BucketCopy.Result c =
                    new BucketCopy(s -> {}).copy(minio.store, seaweedfs.store, job.bucket());
                return new BucketCopier.Report(c.objects(), c.bytes(), c.copied());
              });
      Upgrader.Report report = upgrader.upgrade(r);
      upgrade = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "upgrade v1.10.2 -> 26.03: %.1fs, of which backup %.1fs (%d dumps, %d objects listed);"
              + " %d objects copied, %d pruned, %d kept%n",
          upgrade,
          backup,
          m.databases().size(),
          m.buckets().get(0).objects(),
          report.copies().isEmpty() ? 0 : report.copies().get(0).copied(),
          report.pruned().size(),
          report.kept().size());
      if (report.copies().isEmpty() || report.copies().get(0).objects() != objects) {
        throw new IllegalStateException("the bucket copy did not run over every object");
      }
      long t1 = System.nanoTime();
      upgrader.upgrade(r);
      rerun = (System.nanoTime() - t1) / 1e9;
      System.out.printf("upgrade run again: %.2fs%n", rerun);
    }
    System.out.println("goal: ratio <= 1.3 (backup and migration included), rerun <= 0.1");
    System.out.printf("upgrade: ratio=%.2f rerun=%.2f%n", upgrade / fresh, rerun / fresh);
    System.exit(0);
  }

  /** Runs and metrics of a team that used Pipelines and Katib for a while. */
  private static void pipelinesData(MariaDb db) throws Exception {
    StringBuilder sql =
        new StringBuilder(
            "CREATE DATABASE mlpipeline; CREATE DATABASE cachedb; CREATE DATABASE metadb; CREATE"
                + " DATABASE katib; CREATE TABLE mlpipeline.run_details (UUID varchar(64) PRIMARY"
                + " KEY, DisplayName varchar(255), Conditions varchar(64)); CREATE TABLE"
                + " katib.observation_logs (trial varchar(64), metric double);");
    // MariaDB's sequence engine makes the rows (an argv holds only so many INSERTs)
    sql.append(
        "INSERT INTO mlpipeline.run_details SELECT CONCAT('r', seq), CONCAT('run ', seq),"
            + " 'Succeeded' FROM mlpipeline.seq_0_to_19999; INSERT INTO katib.observation_logs"
            + " SELECT CONCAT('t', seq), seq / 20000 FROM mlpipeline.seq_0_to_19999;");
    db.sql(sql.toString());
  }

  private static int artifacts(S3Store store) {
    Random random = new Random(3);
    int n = 200;
    try (S3Client s3 = store.client()) {
      s3.createBucket(b -> b.bucket("mlpipeline"));
      for (int i = 0; i < n; i++) {
        byte[] body = new byte[1 + random.nextInt(64 * 1024)];
        random.nextBytes(body);
        String key = "artifacts/run-" + (i % 20) + "/part-" + i;
        s3.putObject(b -> b.bucket("mlpipeline").key(key), RequestBody.fromBytes(body));
      }
    }
    return n;
  }

  /** The MySQL pods the dumps run in, and their passwords set to the bench server's. */
  private static void databasePods(KubernetesClient client) {
    StorePods.running(
        client,
        "kubeflow",
        List.of(
            new StorePods.Pod("mysql-0", "app", "mysql"),
            new StorePods.Pod("katib-mysql-0", "katib.kubeflow.org/component", "mysql")));
    String pw = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
    for (String[] s :
        List.of(
            new String[] {"mysql-secret", "password"},
            new String[] {"katib-mysql-secrets", "MYSQL_ROOT_PASSWORD"})) {
      var ref = client.secrets().inNamespace("kubeflow").withName(s[0]);
      var secret = ref.get();
      if (secret == null) {
        secret =
            new SecretBuilder()
                .withNewMetadata()
                .withName(s[0])
                .withNamespace("kubeflow")
                .endMetadata()
                .withData(new HashMap<>())
                .build();
      }
      if (secret.getData() == null) {
        secret.setData(new HashMap<>());
      }
      secret.getData().put(s[1], pw);
      secret
          .getData()
          .put(
              "username",
              Base64.getEncoder().encodeToString("root".getBytes(StandardCharsets.UTF_8)));
      client
          .secrets()
          .inNamespace("kubeflow")
          .resource(secret)
          .createOr(NonDeletingOperation::update);
    }
  }
}
