package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.check.CheckResult;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.stores.StoresConfig;
import io.kfboot.components.stores.StoresConfig.Database;
import io.kfboot.components.stores.StoresConfig.ObjectStore;
import io.kfboot.components.upgrade.ClusterFacts;
import io.kfboot.components.upgrade.DatabaseDump;
import io.kfboot.components.upgrade.DatabaseLoad;
import io.kfboot.components.upgrade.PodExec;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import io.kfboot.storage.objectstore.BucketCopy;
import io.kfboot.storage.objectstore.S3Store;
import io.kfboot.storage.objectstore.StoreAccess;
import io.kfboot.storage.stores.ObjectStoreCheck;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code kfboot stores switch}: moves an installed cluster from its in-cluster stores to the
 * external ones the inventory names, data and all. Upstream leaves this to hand edits and "S3
 * commands"; here it is planned ({@code --plan} runs only the reads), and each step may run again:
 *
 * <ol>
 *   <li>the external stores checked, as before an install;
 *   <li>the stores' writers scaled to 0 (their replicas kept in an annotation), so nothing is
 *       written to the old store after its copy;
 *   <li>each database dumped from its in-cluster server and loaded into the external one, under the
 *       names the inventory gives (the dumps stay, 0600, in the switch's folder);
 *   <li>the bucket copied object by object, checksums compared, nothing copied twice on a rerun;
 *   <li>the objects the profile controller made per namespace for the old store deleted (they are
 *       never updated, upstream's {@code OnDelete}), so that it makes them for the new one;
 *   <li>the plan with the external stores applied ({@code kfboot install}), the writers back at
 *       their replicas.
 * </ol>
 *
 * The in-cluster servers, their Services and claims are left running: the old data stays until the
 * user removes them. Which store a cluster uses is read from the cluster itself (where its
 * consumers point), so a rerun after an interruption does what is left.
 */
public final class StoreSwitch {
  static final String NS = "kubeflow";
  static final String REPLICAS_ANNOTATION = "kfboot.io/replicas-before-store-switch";

  /** What the profile controller makes per namespace for the store it knows. */
  static final List<String[]> PER_NAMESPACE =
      List.of(
          new String[] {"ConfigMap", "kfp-launcher"},
          new String[] {"ConfigMap", "artifact-repositories"},
          new String[] {"Secret", "mlpipeline-minio-artifact"});

  static final String PIPELINES_ENABLED = "pipelines.kubeflow.org/enabled";

  static final List<String> PIPELINES_ROLES = List.of("pipelines", "cache", "metadata");
  static final List<String> KATIB_ROLES = List.of("katib");
  static final String KATIB_PODS = "katib.kubeflow.org/component=mysql";

  /** The three stores a switch moves. */
  public enum Store {
    PIPELINES_DATABASE("pipelines.database"),
    OBJECT_STORE("pipelines.objectStore"),
    KATIB_DATABASE("katib.database");

    public final String field;

    Store(String field) {
      this.field = field;
    }
  }

  /**
   * One store that moves.
   *
   * @param toExternal onto the inventory's external store; false: back to the in-cluster one
   */
  public record Move(Store store, boolean toExternal, String from, String to) {
    public String field() {
      return store.field;
    }
  }

  /**
   * @param writers the Deployments scaled to 0 while the data is copied
   * @param namespaces the namespaces whose per-namespace store objects are reset
   * @param kept the old stores left for the user to remove
   */
  public record Plan(
      List<Move> moves,
      List<String> steps,
      List<String> writers,
      List<String> namespaces,
      List<String> kept) {
    public boolean nothingToDo() {
      return moves.isEmpty();
    }
  }

  /**
   * @param dir the folder of the dumps
   * @param done what each step did
   */
  public record Done(Plan plan, Path dir, List<String> done) {}

  private final PlatformSettings settings;
  private final PlatformListener listener;

  public StoreSwitch(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /** The switch's plan, from the cluster and the settings; nothing is changed. */
  public Plan plan() {
    try (KubernetesClient client = connect()) {
      return plan(client);
    }
  }

  /**
   * The switch.
   *
   * @param dir where the dumps go; null for $XDG_STATE_HOME/kfboot/backups/CLUSTER/switch-TIME
   */
  public Done apply(Path dir) {
    try (KubernetesClient client = connect()) {
      Plan plan = plan(client);
      if (plan.nothingToDo()) {
        return new Done(plan, null, List.of());
      }
      Path into = dir != null ? dir : defaultDir(client);
      return run(
          client,
          plan,
          PodExec.kubernetes(client, settings.install().gateTimeout()),
          StoreAccess.portForward(client),
          into);
    }
  }

  private KubernetesClient connect() {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    return connection.connect();
  }

  private Path defaultDir(KubernetesClient client) {
    String time =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    return XdgDirs.stateHome(settings.env())
        .resolve("kfboot")
        .resolve("backups")
        .resolve(ClusterConnection.clusterName(client))
        .resolve("store-switch-" + time);
  }

  Plan plan(KubernetesClient client) {
    PlatformSettings installed = installSettings(client);
    StoresConfig want = settings.stores();
    Predicate<String> running = Backups.deploymentsOn(client);
    List<Move> moves = new ArrayList<>();
    List<String> steps = new ArrayList<>();
    List<String> writers = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    List<String> refused = new ArrayList<>();

    Map<String, String> install = ClusterStores.pipelinesConfig(client);
    if (!install.isEmpty()) {
      Optional<String> external = ClusterStores.pipelinesDatabase(client);
      Optional<Database> db = want.pipelinesDb();
      String inCluster = "in-cluster MySQL (Deployment kubeflow/mysql)";
      if (db.isPresent() && external.isEmpty()) {
        moves.add(new Move(Store.PIPELINES_DATABASE, true, inCluster, address(db.get())));
        steps.add(
            "dump "
                + String.join(", ", pipelinesNames(install))
                + " from pod app=mysql and load them into "
                + address(db.get())
                + " as "
                + String.join(", ", roleNames(db.get(), PIPELINES_ROLES)));
        kept.addAll(
            List.of(
                "Deployment kubeflow/mysql",
                "Service kubeflow/mysql",
                "PersistentVolumeClaim kubeflow/mysql-pv-claim"));
      } else if (db.isEmpty() && external.isPresent()) {
        requireRunning(
            client, "app=mysql", "pipelines.database", "Deployment kubeflow/mysql", refused);
        String from = external.get() + ":" + install.getOrDefault("dbPort", "3306");
        moves.add(new Move(Store.PIPELINES_DATABASE, false, from, inCluster));
        steps.add(
            "dump "
                + String.join(", ", pipelinesNames(install))
                + " from "
                + from
                + " (through pod app=mysql) and load them into the in-cluster MySQL as the"
                + " release names them");
        kept.add("the databases on " + from);
      }
      if (!moves.isEmpty()) {
        writers.addAll(List.of("ml-pipeline", "cache-server", "metadata-grpc-deployment"));
      }
    }
    if (!ClusterStores.argoEndpoint(client).isEmpty()) {
      Optional<String> external = ClusterStores.objectStore(client);
      Optional<ObjectStore> store = want.pipelinesStore();
      Optional<BackupManifest.Bucket> bucket = Backups.bucket(running);
      String pods = bucket.map(b -> b.pods()).orElse("no running store");
      String bucketName = install.getOrDefault("bucketName", "mlpipeline");
      if (store.isPresent() && external.isEmpty()) {
        ObjectStore s = store.get();
        moves.add(
            new Move(
                Store.OBJECT_STORE,
                true,
                "in-cluster store (" + pods + ")",
                s.endpoint() + " bucket " + s.bucket()));
        steps.add(
            "copy bucket "
                + bucketName
                + " ("
                + pods
                + ") to bucket "
                + s.bucket()
                + " at "
                + s.endpoint());
        kept.addAll(
            running.test(NS + "/minio")
                ? List.of(
                    "Deployment kubeflow/minio",
                    "Service kubeflow/minio-service",
                    "PersistentVolumeClaim kubeflow/minio-pvc")
                : List.of(
                    "Deployment kubeflow/seaweedfs",
                    "Service kubeflow/seaweedfs",
                    "PersistentVolumeClaim kubeflow/seaweedfs-pvc"));
      } else if (store.isEmpty() && external.isPresent()) {
        if (bucket.isEmpty()) {
          refused.add(
              "pipelines.objectStore: the way back needs the in-cluster store the switch kept"
                  + " (Deployment kubeflow/minio or kubeflow/seaweedfs), and neither is there");
        } else {
          requireRunning(
              client, bucket.get().pods(), "pipelines.objectStore", "its Deployment", refused);
        }
        moves.add(
            new Move(
                Store.OBJECT_STORE,
                false,
                external.get() + " bucket " + bucketName,
                "in-cluster store (" + pods + ")"));
        steps.add(
            "copy bucket "
                + bucketName
                + " at "
                + external.get()
                + " to the in-cluster store ("
                + pods
                + ")");
        kept.add("bucket " + bucketName + " at " + external.get());
      }
      if (moves.stream().anyMatch(m -> m.store() == Store.OBJECT_STORE)) {
        writers.add("ml-pipeline");
        writers.add("kubeflow-pipelines-profile-controller");
      }
    }
    Secret katib = client.secrets().inNamespace(NS).withName("katib-mysql-secrets").get();
    if (katib != null && running.test(NS + "/katib-db-manager")) {
      Optional<String> external = ClusterStores.katibDatabase(client);
      Optional<Database> db = want.katibDb();
      String inCluster = "in-cluster MySQL (Deployment kubeflow/katib-mysql)";
      if (db.isPresent() && external.isEmpty()) {
        moves.add(new Move(Store.KATIB_DATABASE, true, inCluster, address(db.get())));
        steps.add(
            "dump katib from pod katib.kubeflow.org/component=mysql and load it into "
                + address(db.get())
                + " as "
                + db.get().databases().get("katib"));
        kept.addAll(
            List.of(
                "Deployment kubeflow/katib-mysql",
                "Service kubeflow/katib-mysql",
                "PersistentVolumeClaim kubeflow/katib-mysql"));
        writers.add("katib-db-manager");
      } else if (db.isEmpty() && external.isPresent()) {
        requireRunning(
            client, KATIB_PODS, "katib.database", "Deployment kubeflow/katib-mysql", refused);
        String from =
            external.get()
                + ":"
                + ClusterFacts.secretValue(katib, "KATIB_MYSQL_DB_PORT").orElse("3306");
        moves.add(new Move(Store.KATIB_DATABASE, false, from, inCluster));
        steps.add(
            "dump "
                + ClusterFacts.secretValue(katib, "KATIB_MYSQL_DB_DATABASE").orElse("katib")
                + " from "
                + from
                + " (through pod "
                + KATIB_PODS
                + ") and load it into the in-cluster MySQL as katib");
        kept.add("the database on " + from);
        writers.add("katib-db-manager");
      }
    }
    if (!refused.isEmpty()) {
      throw new KfbootException(
          String.join("; ", refused),
          "the way back copies into the in-cluster servers that 'kfboot stores switch' kept: bring"
              + " them back ('kubectl -n kubeflow scale deployment ... --replicas=1'), or copy the"
              + " data by hand (docs/stores.md)",
          ExitCategory.UNEXPECTED_STATE);
    }
    if (!moves.isEmpty()) {
      // the patched plan made before anything changes: a release kfboot cannot point at these
      // stores fails here, with the data still where it was
      new ReleasePlanner(installed, listener).offlinePlan();
    }
    List<String> namespaces = List.of();
    List<String> distinctWriters =
        writers.stream().distinct().filter(w -> running.test(NS + "/" + w)).toList();
    if (!moves.isEmpty()) {
      if (want.anyExternal()) {
        steps.add(0, "check the external stores (kfboot stores check)");
      }
      steps.add(
          want.anyExternal() ? 1 : 0,
          "scale to 0 what writes to the stores: "
              + String.join(", ", distinctWriters)
              + " (Pipelines and Katib are down until the last step)");
      if (moves.stream().anyMatch(m -> m.store() == Store.OBJECT_STORE)) {
        namespaces =
            client.namespaces().withLabel(PIPELINES_ENABLED, "true").list().getItems().stream()
                .map(n -> n.getMetadata().getName())
                .sorted()
                .toList();
        steps.add(
            "delete kfp-launcher, artifact-repositories and mlpipeline-minio-artifact in "
                + namespaces.size()
                + " namespace(s) with Pipelines, for the profile controller to make anew");
      }
      steps.add(
          "apply the plan with the inventory's stores (kfboot install), the writers back at their"
              + " replicas; left for you to remove: "
              + String.join(", ", kept));
    }
    return new Plan(
        List.copyOf(moves), List.copyOf(steps), distinctWriters, namespaces, List.copyOf(kept));
  }

  Done run(KubernetesClient client, Plan plan, PodExec exec, StoreAccess access, Path dir) {
    Backups.requireWritable(dir);
    List<String> done = new ArrayList<>();
    if (settings.stores().anyExternal()) {
      List<CheckResult> results = new StoresChecks(settings, listener).run();
      Preflights.report(results, listener);
      StoresChecks.requirePassed(results);
      done.add("external stores checked");
    }

    for (String w : plan.writers()) {
      scaleDown(client, w);
    }
    done.add("scaled to 0: " + String.join(", ", plan.writers()));

    StoreSecrets.Resolved resolved =
        StoreSecrets.resolve(settings.stores(), settings.env(), client);
    SecretValues secrets = resolved.secrets();
    Map<String, String> install = ClusterStores.pipelinesConfig(client);
    StoresConfig want = resolved.stores();
    // the release's own settings of its in-cluster stores, for the way back
    Map<String, K8sObject> release =
        plan.moves().stream().anyMatch(m -> !m.toExternal()) ? releaseObjects(client) : Map.of();
    for (Move m : plan.moves()) {
      done.add(
          switch (m.store()) {
            case PIPELINES_DATABASE ->
                m.toExternal()
                    ? copyPipelinesDatabase(
                        client, exec, want.pipelinesDb().get(), install, secrets, dir)
                    : pipelinesDatabaseBack(client, exec, install, release, dir);
            case KATIB_DATABASE ->
                m.toExternal()
                    ? copyKatibDatabase(client, exec, want.katibDb().get(), secrets, dir)
                    : katibDatabaseBack(client, exec, dir);
            case OBJECT_STORE ->
                m.toExternal()
                    ? copyBucket(client, access, want.pipelinesStore().get(), install, secrets)
                    : bucketBack(client, access, install, release);
          });
    }
    int reset = 0;
    for (String ns : plan.namespaces()) {
      for (String[] kn : PER_NAMESPACE) {
        boolean deleted =
            kn[0].equals("ConfigMap")
                ? !client.configMaps().inNamespace(ns).withName(kn[1]).delete().isEmpty()
                : !client.secrets().inNamespace(ns).withName(kn[1]).delete().isEmpty();
        if (deleted) {
          reset++;
          listener.report("deleted " + kn[0] + " " + ns + "/" + kn[1]);
        }
      }
    }
    if (!plan.namespaces().isEmpty()) {
      done.add(
          "reset "
              + reset
              + " per-namespace object(s) in "
              + plan.namespaces().size()
              + " namespace(s)");
    }

    listener.report("applying the plan with the inventory's stores");
    new Installation(installSettings(client), listener).install();
    for (String w : plan.writers()) {
      restore(client, w);
    }
    done.add("applied; writers back: " + String.join(", ", plan.writers()));
    return new Done(plan, dir, List.copyOf(done));
  }

  /** One server's side of a database copy, as the pod that runs the clients reaches it. */
  private record Side(String host, int port, String user, String password, List<String> names) {
    /** The inventory's external server, its database for each role. */
    static Side external(Database db, List<String> roles, SecretValues secrets) {
      return new Side(
          db.host(),
          db.port(),
          db.user(),
          secrets.value(db.password(), db.passwordField()),
          roles.stream().map(r -> db.databases().get(r)).toList());
    }
  }

  /**
   * Dumps each database of {@code from} and loads it into {@code to} under the name at the same
   * place, both through the clients of {@code pod}; the dumps stay in {@code dir}.
   */
  private void copyDatabases(
      PodExec exec, String pod, String prefix, List<String> roles, Side from, Side to, Path dir) {
    DatabaseDump dump = new DatabaseDump(exec);
    DatabaseLoad load = new DatabaseLoad(exec);
    for (int i = 0; i < roles.size(); i++) {
      listener.report(
          "mysqldump of "
              + from.names().get(i)
              + " from "
              + from.host()
              + ":"
              + from.port()
              + " into "
              + to.host()
              + ":"
              + to.port()
              + " as "
              + to.names().get(i));
      Path file =
          dump.dump(
              NS,
              pod,
              null,
              new DatabaseDump.Single(
                  prefix + "-" + roles.get(i),
                  from.host(),
                  from.port(),
                  from.user(),
                  from.names().get(i)),
              from.password(),
              dir);
      load.loadInto(
          NS, pod, null, to.host(), to.port(), to.user(), to.password(), to.names().get(i), file);
    }
  }

  private String copyPipelinesDatabase(
      KubernetesClient client,
      PodExec exec,
      Database db,
      Map<String, String> install,
      SecretValues secrets,
      Path dir) {
    Secret account = Backups.secret(client, NS + "/mysql-secret");
    Side from =
        new Side(
            "127.0.0.1",
            3306,
            ClusterFacts.secretValue(account, "username").orElse("root"),
            ClusterFacts.secretValue(account, "password").orElse(""),
            pipelinesNames(install));
    Side to = Side.external(db, PIPELINES_ROLES, secrets);
    copyDatabases(exec, pod(client, "app=mysql"), "pipelines", PIPELINES_ROLES, from, to, dir);
    return "pipelines' databases " + String.join(", ", from.names()) + " copied to " + address(db);
  }

  private String copyKatibDatabase(
      KubernetesClient client, PodExec exec, Database db, SecretValues secrets, Path dir) {
    Secret account = Backups.secret(client, NS + "/katib-mysql-secrets");
    Side from =
        new Side(
            "127.0.0.1",
            3306,
            "root",
            Backups.value(account, "MYSQL_ROOT_PASSWORD"),
            List.of("katib"));
    Side to = Side.external(db, KATIB_ROLES, secrets);
    copyDatabases(exec, pod(client, KATIB_PODS), "katib", KATIB_ROLES, from, to, dir);
    return "katib's database copied to " + address(db);
  }

  /**
   * The way back for Pipelines' databases: from the external server the cluster uses (its address,
   * names and account read from the cluster: pipeline-install-config, mysql-secret, and the Secret
   * ml-pipeline reads its password from) into the kept in-cluster MySQL, as the release has it.
   */
  private String pipelinesDatabaseBack(
      KubernetesClient client,
      PodExec exec,
      Map<String, String> install,
      Map<String, K8sObject> release,
      Path dir) {
    Secret account = Backups.secret(client, NS + "/mysql-secret");
    Side from =
        new Side(
            install.get("dbHost"),
            Integer.parseInt(install.getOrDefault("dbPort", "3306")),
            Backups.value(account, "username"),
            envSecret(client, "ml-pipeline", "DBCONFIG_PASSWORD"),
            pipelinesNames(install));
    Map<String, String> inCluster = stringData(release.get("Secret/mysql-secret"));
    Map<String, String> names = stringData(release.get("ConfigMap/pipeline-install-config"));
    Side to =
        new Side(
            "127.0.0.1",
            3306,
            inCluster.getOrDefault("username", "root"),
            inCluster.getOrDefault("password", ""),
            pipelinesNames(names));
    copyDatabases(exec, pod(client, "app=mysql"), "pipelines-back", PIPELINES_ROLES, from, to, dir);
    return "pipelines' databases "
        + String.join(", ", from.names())
        + " copied back from "
        + from.host()
        + ":"
        + from.port();
  }

  /** The way back for Katib's database, its external account read from the cluster. */
  private String katibDatabaseBack(KubernetesClient client, PodExec exec, Path dir) {
    Secret secrets = Backups.secret(client, NS + "/katib-mysql-secrets");
    Side from =
        new Side(
            Backups.value(secrets, "KATIB_MYSQL_DB_HOST"),
            Integer.parseInt(
                ClusterFacts.secretValue(secrets, "KATIB_MYSQL_DB_PORT").orElse("3306")),
            Backups.value(secrets, "DB_USER"),
            envSecret(client, "katib-db-manager", "DB_PASSWORD"),
            List.of(ClusterFacts.secretValue(secrets, "KATIB_MYSQL_DB_DATABASE").orElse("katib")));
    Side to =
        new Side(
            "127.0.0.1",
            3306,
            "root",
            Backups.value(secrets, "MYSQL_ROOT_PASSWORD"),
            List.of("katib"));
    copyDatabases(exec, pod(client, KATIB_PODS), "katib-back", KATIB_ROLES, from, to, dir);
    return "katib's database copied back from " + from.host() + ":" + from.port();
  }

  /**
   * The way back for the bucket: from the external store as kfboot's profile controller hook has it
   * (its KFBOOT_S3_* env, the cluster's keys) into the kept in-cluster store, with the release's
   * own keys (the store's, unless its pod restarted since the switch and took the external ones:
   * those are tried second).
   */
  private String bucketBack(
      KubernetesClient client,
      StoreAccess access,
      Map<String, String> install,
      Map<String, K8sObject> release) {
    Map<String, String> hook = envValues(client, "kubeflow-pipelines-profile-controller");
    Secret keys = Backups.secret(client, NS + "/" + "mlpipeline-minio-artifact");
    String accessKey = Backups.value(keys, "accesskey");
    String secretKey = Backups.value(keys, "secretkey");
    String endpoint = hook.get("KFBOOT_S3_ENDPOINT_URL");
    if (endpoint == null) {
      throw new KfbootException(
          "the profile controller has no KFBOOT_S3_ENDPOINT_URL: this cluster's external store was"
              + " not set by kfboot",
          "copy the bucket back by hand, then install with the in-cluster store",
          ExitCategory.UNEXPECTED_STATE);
    }
    S3Store external =
        new S3Store(
            URI.create(endpoint),
            accessKey,
            secretKey,
            hook.getOrDefault("KFBOOT_S3_REGION", "us-east-1"),
            "true".equals(hook.get("KFBOOT_S3_PATH_STYLE")));
    String fromBucket = install.getOrDefault("bucketName", "mlpipeline");
    Map<String, String> upstream = stringData(release.get("Secret/" + "mlpipeline-minio-artifact"));
    String toBucket =
        stringData(release.get("ConfigMap/pipeline-install-config"))
            .getOrDefault("bucketName", "mlpipeline");
    BackupManifest.Bucket b = Backups.bucket(Backups.deploymentsOn(client)).orElseThrow();
    String pod = pod(client, b.pods());
    List<String[]> tries =
        List.of(
            new String[] {
              upstream.getOrDefault("accesskey", accessKey),
              upstream.getOrDefault("secretkey", secretKey)
            },
            new String[] {accessKey, secretKey});
    KfbootException first = null;
    for (String[] k : tries) {
      try (StoreAccess.Open open = access.open(b.namespace(), pod, b.port(), k[0], k[1])) {
        BucketCopy.Result r =
            new BucketCopy(listener::report).copy(external, fromBucket, open.store(), toBucket);
        return "bucket "
            + fromBucket
            + ": "
            + r.objects()
            + " object(s), "
            + r.copied()
            + " copied back to the in-cluster store ("
            + b.pods()
            + ")";
      } catch (KfbootException e) {
        first = first == null ? e : first;
      }
    }
    throw first;
  }

  /** The value of a Deployment's env var that reads a Secret key, read from that Secret. */
  private static String envSecret(KubernetesClient client, String deployment, String env) {
    Deployment d = client.apps().deployments().inNamespace(NS).withName(deployment).get();
    if (d != null) {
      for (var c : d.getSpec().getTemplate().getSpec().getContainers()) {
        for (var e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
          if (env.equals(e.getName())
              && e.getValueFrom() != null
              && e.getValueFrom().getSecretKeyRef() != null) {
            var ref = e.getValueFrom().getSecretKeyRef();
            return Backups.value(Backups.secret(client, NS + "/" + ref.getName()), ref.getKey());
          }
        }
      }
    }
    throw new KfbootException(
        "Deployment kubeflow/" + deployment + " has no " + env + " from a Secret",
        "rerun 'kfboot install' with the external stores, then switch back",
        ExitCategory.UNEXPECTED_STATE);
  }

  /** A Deployment's plain env values (the first container's). */
  private static Map<String, String> envValues(KubernetesClient client, String deployment) {
    Map<String, String> out = new LinkedHashMap<>();
    Deployment d = client.apps().deployments().inNamespace(NS).withName(deployment).get();
    if (d != null) {
      for (var c : d.getSpec().getTemplate().getSpec().getContainers()) {
        if (c.getEnv() != null) {
          c.getEnv().stream()
              .filter(e -> e.getValue() != null)
              .forEach(e -> out.put(e.getName(), e.getValue()));
        }
      }
    }
    return out;
  }

  /** The installed release's own objects ("Kind/name" in kubeflow), as its render has them. */
  private Map<String, K8sObject> releaseObjects(KubernetesClient client) {
    Map<String, K8sObject> out = new LinkedHashMap<>();
    new ReleasePlanner(installSettings(client), listener)
        .releasePlan().components().stream()
            .flatMap(c -> c.objects().stream())
            .filter(o -> NS.equals(o.namespace()))
            .forEach(o -> out.put(o.kind() + "/" + o.name(), o));
    return out;
  }

  /** A rendered ConfigMap's data or Secret's values (stringData, else data decoded). */
  private static Map<String, String> stringData(K8sObject o) {
    Map<String, String> out = new LinkedHashMap<>();
    if (o == null) {
      return out;
    }
    Trees.map(o.body().get("data"))
        .forEach(
            (k, v) ->
                out.put(
                    k,
                    o.kind().equals("Secret")
                        ? new String(
                            Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)
                        : String.valueOf(v)));
    Trees.map(o.body().get("stringData")).forEach((k, v) -> out.put(k, String.valueOf(v)));
    return out;
  }

  private static void requireRunning(
      KubernetesClient client, String selector, String field, String what, List<String> refused) {
    if (ClusterFacts.runningPod(client, NS, selector).isEmpty()) {
      refused.add(
          field
              + ": the way back needs the in-cluster server the switch kept ("
              + what
              + ", pod "
              + selector
              + ") running, and none is");
    }
  }

  private static List<String> roleNames(Database db, List<String> roles) {
    return roles.stream().map(r -> db.databases().get(r)).toList();
  }

  private String copyBucket(
      KubernetesClient client,
      StoreAccess access,
      ObjectStore store,
      Map<String, String> install,
      SecretValues secrets) {
    BackupManifest.Bucket b =
        Backups.bucket(Backups.deploymentsOn(client))
            .orElseThrow(
                () ->
                    new KfbootException(
                        "the cluster's artifacts are in an in-cluster store, but neither"
                            + " Deployment kubeflow/minio nor kubeflow/seaweedfs is there to copy"
                            + " them from",
                        "put the release's store back ('kfboot install' with the in-cluster"
                            + " store), then switch",
                        ExitCategory.UNEXPECTED_STATE));
    Secret keys = Backups.secret(client, b.secret());
    String bucket = install.getOrDefault("bucketName", b.bucket());
    S3Store target = ObjectStoreCheck.s3(store, secrets);
    try (StoreAccess.Open open =
        access.open(
            b.namespace(),
            pod(client, b.pods()),
            b.port(),
            Backups.value(keys, b.accessKeyField()),
            Backups.value(keys, b.secretKeyField()))) {
      BucketCopy.Result r =
          new BucketCopy(listener::report).copy(open.store(), bucket, target, store.bucket());
      return "bucket "
          + bucket
          + ": "
          + r.objects()
          + " object(s), "
          + r.bytes()
          + " bytes, "
          + r.copied()
          + " copied, "
          + r.alreadyThere()
          + " there already, to "
          + store.bucket()
          + " at "
          + store.endpoint();
    }
  }

  private void scaleDown(KubernetesClient client, String name) {
    var resource = client.apps().deployments().inNamespace(NS).withName(name);
    Deployment d = resource.get();
    if (d == null) {
      return;
    }
    Map<String, String> annotations = d.getMetadata().getAnnotations();
    if (annotations == null || !annotations.containsKey(REPLICAS_ANNOTATION)) {
      // the first run's count; a rerun finds 0 and keeps what the first saw
      int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
      resource.edit(
          x -> {
            x.getMetadata()
                .setAnnotations(
                    new LinkedHashMap<>(
                        x.getMetadata().getAnnotations() == null
                            ? Map.of()
                            : x.getMetadata().getAnnotations()));
            x.getMetadata().getAnnotations().put(REPLICAS_ANNOTATION, String.valueOf(replicas));
            return x;
          });
    }
    resource.scale(0);
    listener.report("scaled Deployment kubeflow/" + name + " to 0");
  }

  private void restore(KubernetesClient client, String name) {
    var resource = client.apps().deployments().inNamespace(NS).withName(name);
    Deployment d = resource.get();
    if (d == null || d.getMetadata().getAnnotations() == null) {
      return;
    }
    String saved = d.getMetadata().getAnnotations().get(REPLICAS_ANNOTATION);
    if (saved == null) {
      return;
    }
    resource.scale(Integer.parseInt(saved));
    resource.edit(
        x -> {
          x.getMetadata().getAnnotations().remove(REPLICAS_ANNOTATION);
          return x;
        });
  }

  /**
   * The settings for the install that ends the switch: the installed release, from where it was
   * installed when that is still here, and the components its record lists; not the newest
   * release's defaults, which would make the switch an upgrade.
   */
  private PlatformSettings installSettings(KubernetesClient client) {
    InstallState state =
        InstallState.read(client)
            .orElseThrow(
                () ->
                    new KfbootException(
                        "kfboot has installed nothing on this cluster, so there are no stores to"
                            + " switch",
                        "install with the external stores in the inventory instead",
                        ExitCategory.INVALID_INPUT));
    boolean local = !state.source().isBlank() && Files.exists(Path.of(state.source()));
    PlatformSettings s =
        settings.release().manifests() != null
            ? settings
            : settings.withManifests(local ? state.source() : state.release());
    return s.withComponents(ReleasePlanner.releaseComponents(state));
  }

  private static String pod(KubernetesClient client, String selector) {
    return ClusterFacts.runningPod(client, NS, selector)
        .orElseThrow(
            () ->
                new KfbootException(
                    "no running pod " + selector + " in kubeflow to copy the data from",
                    "the in-cluster server must run for the switch: check 'kubectl get pods -n"
                        + " kubeflow -l "
                        + selector
                        + "'",
                    ExitCategory.UNEXPECTED_STATE));
  }

  private static List<String> pipelinesNames(Map<String, String> install) {
    return List.of(
        install.getOrDefault("pipelineDb", "mlpipeline"),
        install.getOrDefault("cacheDb", "cachedb"),
        install.getOrDefault("mlmdDb", "metadb"));
  }

  private static String address(Database db) {
    return db.host() + ":" + db.port();
  }
}
