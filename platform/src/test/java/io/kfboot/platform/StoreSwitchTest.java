package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.testing.LocalPodExec;
import io.kfboot.components.testing.MariaDb;
import io.kfboot.components.upgrade.UpgradeCatalog;
import io.kfboot.components.upgrade.UpgradeHop;
import io.kfboot.components.upgrade.UpgradeStep;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.storage.objectstore.S3Store;
import io.kfboot.storage.objectstore.StoreAccess;
import io.kfboot.storage.testing.S3Proxies;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code kfboot stores switch} on an installed v1.10.2: the simulated cluster for the API, a real
 * MariaDB playing the in-cluster MySQL pods (their exec run here), another real MariaDB as the
 * external server, and two real S3 servers (s3proxy) for MinIO and the external store.
 */
@Requires(Need.MARIADB)
class StoreSwitchTest {
  static final String EXTERNAL_PW = "ext-Pa55 \"quoted\"";
  static final String S3_SECRET = "ext-s3-Secret/1";
  static final String HOSTS =
      "cluster: lab\nk3s:\n  token: {env: K3S_TOKEN}\nhosts:\n"
          + "  - {name: server-1, address: 10.0.0.11, role: server}\n";

  @TempDir Path tmp;

  @Test
  void anInstalledClusterMovesToExternalStoresWithItsDataAndKeepsTheOldOnes() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient();
        MariaDb inCluster = MariaDb.start(Files.createDirectories(tmp.resolve("db-a")), "");
        MariaDb external = MariaDb.start(Files.createDirectories(tmp.resolve("db-b")), "root-b");
        S3Proxies minio = S3Proxies.start("minio", "minio123");
        S3Proxies s3 = S3Proxies.start("ext-access", S3_SECRET)) {
      Map<String, String> env = env();
      SettingsInput in = input(cluster);
      cluster.node("server-1", Map.of(), Map.of());
      Fixtures.kustomize();
      new Installation(PlatformSettings.resolve(in, env), PlatformListener.SILENT).install();

      // the pods' part: upstream's root with no password (Pipelines' mysql-secret says so), and
      // katib's root made the same, since one server plays both here
      inCluster.sql(
          "CREATE DATABASE mlpipeline; CREATE DATABASE"
              + " cachedb; CREATE DATABASE metadb; CREATE DATABASE katib; CREATE TABLE"
              + " mlpipeline.run_details (UUID varchar(64) PRIMARY KEY, Conditions varchar(64));"
              + " INSERT INTO mlpipeline.run_details VALUES ('r1','Succeeded'),('r2','Failed');"
              + " CREATE TABLE metadb.Artifact (id int PRIMARY KEY, uri varchar(255)); INSERT INTO"
              + " metadb.Artifact VALUES (1, 'minio://mlpipeline/v2/artifacts/p/r1/out');"
              + " CREATE TABLE cachedb.execution_caches (ExecutionCacheKey varchar(64));"
              + " CREATE TABLE katib.observation_logs (trial varchar(64), metric double); INSERT"
              + " INTO katib.observation_logs VALUES ('t1', 0.93);");
      emptyKatibRootPassword(client);
      external.sql(
          "CREATE USER 'kfp'@'127.0.0.1' IDENTIFIED BY '"
              + EXTERNAL_PW.replace("\"", "\\\"")
              + "'; GRANT ALL ON `kfp\\_%`.* TO 'kfp'@'127.0.0.1'; GRANT ALL ON katib_results.* TO"
              + " 'kfp'@'127.0.0.1';");
      try (S3Client c = minio.store.client()) {
        c.createBucket(b -> b.bucket("mlpipeline"));
        c.putObject(
            b -> b.bucket("mlpipeline").key("v2/artifacts/p/r1/out"),
            RequestBody.fromBytes(new byte[40 * 1024]));
        c.putObject(
            b -> b.bucket("mlpipeline").key("artifacts/wf-1/2026/12/07/main.log"),
            RequestBody.fromString("step ran"));
      }
      try (S3Client c = s3.store.client()) {
        c.createBucket(b -> b.bucket("kubeflow-artifacts"));
      }
      StorePods.running(
          client,
          "kubeflow",
          List.of(
              new StorePods.Pod("mysql-0", "app", "mysql"),
              new StorePods.Pod("katib-mysql-0", "katib.kubeflow.org/component", "mysql"),
              new StorePods.Pod("minio-0", "app", "minio")));
      profileNamespace(client, "team-nlp");

      in.inventory = Files.writeString(tmp.resolve("in-cluster.yaml"), HOSTS);
      assertThat(
              new StoreSwitch(PlatformSettings.resolve(in, env), PlatformListener.SILENT)
                  .plan(client)
                  .nothingToDo())
          .as("an inventory with the in-cluster stores the cluster has")
          .isTrue();

      Path inventory =
          Files.writeString(
              tmp.resolve("inventory.yaml"),
              HOSTS
                  + "pipelines:\n  database:\n    external:\n      host: 127.0.0.1\n      port: "
                  + external.port
                  + "\n      tls: false\n      user: kfp\n      passwordRef: {env: DB_PW}\n"
                  + "      databases: {pipelines: kfp_pipelines, cache: kfp_cache, metadata:"
                  + " kfp_metadata}\n"
                  + "  objectStore:\n    external:\n      endpoint: "
                  + s3.store.endpoint()
                  + "\n      bucket: kubeflow-artifacts\n      accessKeyRef: {env: S3_ACCESS}\n"
                  + "      secretKeyRef: {env: S3_SECRET}\n"
                  + "katib:\n  database:\n    external:\n      host: 127.0.0.1\n      port: "
                  + external.port
                  + "\n      tls: false\n      user: kfp\n      passwordRef: {env: DB_PW}\n"
                  + "      databases: {katib: katib_results}\n");
      in.inventory = inventory;
      env.put("DB_PW", EXTERNAL_PW);
      env.put("S3_ACCESS", "ext-access");
      env.put("S3_SECRET", S3_SECRET);
      List<String> progress = new ArrayList<>();
      PlatformSettings settings = PlatformSettings.resolve(in, env);
      StoreSwitch storeSwitch = new StoreSwitch(settings, listener(progress));

      StoreSwitch.Plan plan = storeSwitch.plan(client);
      assertThat(plan.moves())
          .extracting(StoreSwitch.Move::field, StoreSwitch.Move::toExternal)
          .containsExactly(
              tuple("pipelines.database", true),
              tuple("pipelines.objectStore", true),
              tuple("katib.database", true));
      assertThat(plan.steps()).first().isEqualTo("check the external stores (kfboot stores check)");
      assertThat(String.join("\n", plan.steps()))
          .contains(
              "dump mlpipeline, cachedb, metadb from pod app=mysql and load them into 127.0.0.1:"
                  + external.port
                  + " as kfp_pipelines, kfp_cache, kfp_metadata")
          .contains("copy bucket mlpipeline (app=minio) to bucket kubeflow-artifacts")
          .contains("in 1 namespace(s) with Pipelines")
          .doesNotContain(EXTERNAL_PW)
          .doesNotContain(S3_SECRET);
      assertThat(plan.writers())
          .containsExactly(
              "ml-pipeline",
              "cache-server",
              "metadata-grpc-deployment",
              "kubeflow-pipelines-profile-controller",
              "katib-db-manager");
      assertThat(plan.kept())
          .contains("Deployment kubeflow/mysql", "PersistentVolumeClaim kubeflow/minio-pvc");
      assertThat(external.sql("SHOW DATABASES LIKE 'kfp\\_%'"))
          .as("the plan changes nothing")
          .isEmpty();
      assertThat(replicas(client, "ml-pipeline")).isEqualTo(1);

      LocalPodExec exec = new LocalPodExec().port(3306, inCluster.port);
      List<String> keysSeen = new ArrayList<>();
      StoreAccess minioPods =
          (namespace, pod, port, access, secret) -> {
            keysSeen.add(pod + ":" + port + ":" + access);
            return StorePods.direct(new S3Store(minio.store.endpoint(), access, secret))
                .open(namespace, pod, port, access, secret);
          };
      Path dir = tmp.resolve("switch");
      StoreSwitch.Done done = storeSwitch.run(client, plan, exec, minioPods, dir);

      assertThat(
              external.sql("SELECT UUID, Conditions FROM kfp_pipelines.run_details ORDER BY UUID"))
          .isEqualTo("r1\tSucceeded\nr2\tFailed\n");
      assertThat(external.sql("SELECT uri FROM kfp_metadata.Artifact"))
          .isEqualTo("minio://mlpipeline/v2/artifacts/p/r1/out\n");
      assertThat(external.sql("SHOW TABLES FROM kfp_cache")).isEqualTo("execution_caches\n");
      assertThat(external.sql("SELECT trial, metric FROM katib_results.observation_logs"))
          .isEqualTo("t1\t0.93\n");
      assertThat(inCluster.sql("SELECT count(*) FROM mlpipeline.run_details"))
          .as("the old data stays")
          .isEqualTo("2\n");
      assertThat(keysSeen).containsExactly("minio-0:9000:minio");
      try (S3Client c = s3.store.client()) {
        assertThat(
                c.listObjectsV2(b -> b.bucket("kubeflow-artifacts")).contents().stream()
                    .map(o -> o.key() + "=" + o.size())
                    .sorted()
                    .toList())
            .containsExactly("artifacts/wf-1/2026/12/07/main.log=8", "v2/artifacts/p/r1/out=40960");
      }

      // the cluster points at the external stores, the old ones still run
      assertThat(
              client
                  .configMaps()
                  .inNamespace("kubeflow")
                  .withName("pipeline-install-config")
                  .get()
                  .getData())
          .containsEntry("dbHost", "127.0.0.1")
          .containsEntry("pipelineDb", "kfp_pipelines")
          .containsEntry("bucketName", "kubeflow-artifacts");
      assertThat(
              ClusterStores.argoEndpoint(
                  client
                      .configMaps()
                      .inNamespace("kubeflow")
                      .withName("workflow-controller-configmap")
                      .get()))
          .isEqualTo(s3.store.endpoint().getHost() + ":" + s3.store.endpoint().getPort());
      assertThat(secret(client, "kubeflow", "katib-mysql-secrets"))
          .containsEntry("KATIB_MYSQL_DB_DATABASE", "katib_results")
          .containsKey("MYSQL_ROOT_PASSWORD");
      for (String kept : List.of("mysql", "katib-mysql", "minio")) {
        assertThat(client.apps().deployments().inNamespace("kubeflow").withName(kept).get())
            .as("kept: " + kept)
            .isNotNull();
      }
      assertThat(
              client
                  .persistentVolumeClaims()
                  .inNamespace("kubeflow")
                  .withName("mysql-pv-claim")
                  .get())
          .isNotNull();
      for (String w : plan.writers()) {
        assertThat(replicas(client, w)).as(w + " back").isEqualTo(1);
        assertThat(
                client
                    .apps()
                    .deployments()
                    .inNamespace("kubeflow")
                    .withName(w)
                    .get()
                    .getMetadata()
                    .getAnnotations())
            .doesNotContainKey(StoreSwitch.REPLICAS_ANNOTATION);
      }
      assertThat(client.configMaps().inNamespace("team-nlp").withName("kfp-launcher").get())
          .as("reset for the profile controller to make anew")
          .isNull();
      assertThat(
              client.secrets().inNamespace("team-nlp").withName("mlpipeline-minio-artifact").get())
          .isNull();
      assertThat(done.done()).anyMatch(d -> d.startsWith("bucket mlpipeline: 2 object(s)"));

      try (Stream<Path> files = Files.walk(dir)) {
        List<Path> dumps = files.filter(Files::isRegularFile).toList();
        assertThat(dumps)
            .extracting(p -> p.getFileName().toString())
            .containsExactlyInAnyOrder(
                "pipelines-pipelines.sql",
                "pipelines-cache.sql",
                "pipelines-metadata.sql",
                "katib-katib.sql");
        for (Path f : dumps) {
          assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
              .isEqualTo("rw-------");
        }
      }
      assertThat(exec.ran())
          .allSatisfy(a -> assertThat(String.join(" ", a)).doesNotContain("Pa55"));
      assertThat(String.join("\n", progress)).doesNotContain("Pa55").doesNotContain(S3_SECRET);

      // a backup of the switched cluster leaves the kept servers' stale data out
      assertThat(Backups.deploymentsOn(client).test("kubeflow/mysql")).isTrue();
      assertThat(ClusterStores.inUse(client).test("kubeflow/mysql")).isFalse();
      assertThat(ClusterStores.inUse(client).test("kubeflow/katib-mysql")).isFalse();
      assertThat(Backups.databases(ClusterStores.inUse(client))).isEmpty();
      assertThat(Backups.bucket(ClusterStores.inUse(client))).isEmpty();
      assertThat(ClusterStores.inUse(client).test("kubeflow/ml-pipeline")).isTrue();

      // a rerun finds the cluster on the external stores: nothing to do
      assertThat(new StoreSwitch(settings, PlatformListener.SILENT).plan(client).nothingToDo())
          .isTrue();

      // the way back: what was written on the external stores meanwhile comes along
      external.sql("INSERT INTO kfp_pipelines.run_details VALUES ('r3','Succeeded');");
      try (S3Client c = s3.store.client()) {
        c.putObject(
            b -> b.bucket("kubeflow-artifacts").key("v2/artifacts/p/r3/out"),
            RequestBody.fromString("after the switch"));
      }
      // the install put upstream's katib root password back; one server plays both pods here
      emptyKatibRootPassword(client);
      in.inventory = Files.writeString(tmp.resolve("in-cluster.yaml"), HOSTS);
      PlatformSettings back = PlatformSettings.resolve(in, env);
      StoreSwitch.Plan backPlan = new StoreSwitch(back, listener(progress)).plan(client);
      assertThat(backPlan.moves())
          .extracting(StoreSwitch.Move::field, StoreSwitch.Move::toExternal)
          .containsExactly(
              tuple("pipelines.database", false),
              tuple("pipelines.objectStore", false),
              tuple("katib.database", false));
      assertThat(String.join("\n", backPlan.steps()))
          .doesNotContain("check the external stores")
          .contains("from 127.0.0.1:" + external.port + " (through pod app=mysql)");
      keysSeen.clear();
      new StoreSwitch(back, listener(progress))
          .run(client, backPlan, exec, minioPods, tmp.resolve("switch-back"));
      assertThat(inCluster.sql("SELECT UUID FROM mlpipeline.run_details ORDER BY UUID"))
          .isEqualTo("r1\nr2\nr3\n");
      assertThat(inCluster.sql("SELECT count(*) FROM katib.observation_logs")).isEqualTo("1\n");
      assertThat(keysSeen).as("the release's own MinIO keys").containsExactly("minio-0:9000:minio");
      try (S3Client c = minio.store.client()) {
        assertThat(
                c.getObjectAsBytes(b -> b.bucket("mlpipeline").key("v2/artifacts/p/r3/out"))
                    .asUtf8String())
            .isEqualTo("after the switch");
      }
      assertThat(ClusterStores.pipelinesDatabase(client)).as("pointed back").isEmpty();
      assertThat(ClusterStores.objectStore(client)).isEmpty();
      assertThat(ClusterStores.katibDatabase(client)).isEmpty();
      assertThat(new StoreSwitch(back, PlatformListener.SILENT).plan(client).nothingToDo())
          .as("a rerun of the way back")
          .isTrue();
      assertThat(external.sql("SELECT count(*) FROM kfp_pipelines.run_details"))
          .as("the external copy stays")
          .isEqualTo("3\n");
      assertThat(String.join("\n", progress)).doesNotContain("Pa55").doesNotContain(S3_SECRET);
    }
  }

  @Test
  void anUpgradeOfAClusterWithAnExternalObjectStoreCopiesNoInClusterBucket() {
    UpgradeHop hop =
        UpgradeCatalog.shipped(Catalogs.shipped()).hop("v1.10.2", Fixtures.V26_03.tag());
    assertThat(hop.steps()).anyMatch(s -> s instanceof UpgradeStep.CopyBucket);
    assertThat(Upgrades.forStores(hop, true).steps())
        .noneMatch(s -> s instanceof UpgradeStep.CopyBucket)
        .anyMatch(s -> s instanceof UpgradeStep.ResetProfileObjects);
    assertThat(Upgrades.forStores(hop, false)).isSameAs(hop);
  }

  private static void emptyKatibRootPassword(KubernetesClient client) {
    client
        .secrets()
        .inNamespace("kubeflow")
        .withName("katib-mysql-secrets")
        .edit(
            s -> {
              s.getData().put("MYSQL_ROOT_PASSWORD", "");
              return s;
            });
  }

  private SettingsInput input(SimulatedCluster cluster) throws Exception {
    SettingsInput in = new SettingsInput();
    in.manifests = Fixtures.tarball(Fixtures.V1_10_2).toString();
    in.kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), cluster.kubeconfig());
    in.quiet = true;
    in.timeout = Duration.ofSeconds(60);
    in.pollInterval = Duration.ofMillis(10);
    in.noWatch = true;
    in.components.add("pipelines");
    in.components.add("katib");
    return in;
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>(Map.of("HOME", tmp.toString()));
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
    env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    return env;
  }

  private static PlatformListener listener(List<String> progress) {
    return new PlatformListener() {
      @Override
      public void report(String line) {
        progress.add(line);
      }
    };
  }

  private static void profileNamespace(KubernetesClient client, String ns) {
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .addToLabels(StoreSwitch.PIPELINES_ENABLED, "true")
                .endMetadata()
                .build())
        .create();
    client
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("kfp-launcher")
                .endMetadata()
                .addToData("defaultPipelineRoot", "minio://mlpipeline/v2/artifacts")
                .build())
        .create();
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("mlpipeline-minio-artifact")
                .endMetadata()
                .addToData(
                    "accesskey",
                    Base64.getEncoder().encodeToString("minio".getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
  }

  private static int replicas(KubernetesClient client, String name) {
    Integer r =
        client
            .apps()
            .deployments()
            .inNamespace("kubeflow")
            .withName(name)
            .get()
            .getSpec()
            .getReplicas();
    return r == null ? 1 : r;
  }

  private static Map<String, String> secret(KubernetesClient client, String ns, String name) {
    Map<String, String> out = new HashMap<>();
    client
        .secrets()
        .inNamespace(ns)
        .withName(name)
        .get()
        .getData()
        .forEach(
            (k, v) ->
                out.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    return out;
  }
}
