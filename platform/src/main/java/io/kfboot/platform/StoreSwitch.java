package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.ConfigMap;
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
import io.kfboot.storage.objectstore.BucketCopy;
import io.kfboot.storage.objectstore.S3Store;
import io.kfboot.storage.objectstore.StoreAccess;
import io.kfboot.storage.stores.ObjectStoreCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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

  /**
   * One store that moves.
   *
   * @param field its place in the inventory
   */
  public record Move(String field, String from, String to) {}

  /**
   * @param writers the Deployments scaled to 0 while the data is copied
   * @param namespaces the namespaces whose per-namespace store objects are reset
   * @param kept the in-cluster objects left for the user to remove
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

  private void requireExternal() {
    if (!settings.stores().anyExternal()) {
      throw new KfbootException(
          "the inventory names no external store to switch to",
          "pass -i inventory.yaml with pipelines.database, pipelines.objectStore or"
              + " katib.database (see docs/stores.md)",
          ExitCategory.INVALID_INPUT);
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

    Map<String, String> install =
        data(client.configMaps().inNamespace(NS).withName("pipeline-install-config").get());
    Optional<Database> pipelinesDb = want.pipelinesDb();
    if (!install.isEmpty()) {
      String host = install.getOrDefault("dbHost", "mysql");
      boolean inCluster = ClusterStores.inClusterDatabase(host);
      if (pipelinesDb.isPresent() && inCluster) {
        Database db = pipelinesDb.get();
        moves.add(
            new Move(db.where(), "in-cluster MySQL (Deployment kubeflow/mysql)", address(db)));
        steps.add(
            "dump "
                + String.join(", ", pipelinesNames(install))
                + " from pod app=mysql and load them into "
                + address(db)
                + " as "
                + db.databases().get("pipelines")
                + ", "
                + db.databases().get("cache")
                + ", "
                + db.databases().get("metadata"));
        writers.addAll(List.of("ml-pipeline", "cache-server", "metadata-grpc-deployment"));
        kept.addAll(
            List.of(
                "Deployment kubeflow/mysql",
                "Service kubeflow/mysql",
                "PersistentVolumeClaim kubeflow/mysql-pv-claim"));
      } else if (pipelinesDb.isEmpty() && !inCluster) {
        refused.add(back("pipelines.database", host));
      }
    }
    Optional<ObjectStore> store = want.pipelinesStore();
    ConfigMap argo =
        client.configMaps().inNamespace(NS).withName("workflow-controller-configmap").get();
    if (argo != null) {
      String endpoint = ClusterStores.argoEndpoint(argo);
      boolean inCluster = ClusterStores.IN_CLUSTER_ENDPOINTS.contains(endpoint);
      if (store.isPresent() && inCluster) {
        ObjectStore s = store.get();
        Optional<BackupManifest.Bucket> bucket = Backups.bucket(running);
        String from =
            bucket.map(b -> "in-cluster store (" + b.pods() + ")").orElse("in-cluster store");
        moves.add(new Move(s.where(), from, s.endpoint() + " bucket " + s.bucket()));
        steps.add(
            "copy bucket "
                + install.getOrDefault("bucketName", "mlpipeline")
                + " ("
                + bucket.map(b -> b.pods()).orElse("no running store")
                + ") to bucket "
                + s.bucket()
                + " at "
                + s.endpoint());
        writers.add("ml-pipeline");
        writers.add("kubeflow-pipelines-profile-controller");
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
      } else if (store.isEmpty() && !inCluster) {
        refused.add(back("pipelines.objectStore", endpoint));
      }
    }
    Secret katib = client.secrets().inNamespace(NS).withName("katib-mysql-secrets").get();
    if (katib != null) {
      Optional<String> host = ClusterFacts.secretValue(katib, "KATIB_MYSQL_DB_HOST");
      Optional<Database> katibDb = want.katibDb();
      if (katibDb.isPresent() && host.isEmpty()) {
        Database db = katibDb.get();
        moves.add(
            new Move(
                db.where(), "in-cluster MySQL (Deployment kubeflow/katib-mysql)", address(db)));
        steps.add(
            "dump katib from pod katib.kubeflow.org/component=mysql and load it into "
                + address(db)
                + " as "
                + db.databases().get("katib"));
        writers.add("katib-db-manager");
        kept.addAll(
            List.of(
                "Deployment kubeflow/katib-mysql",
                "Service kubeflow/katib-mysql",
                "PersistentVolumeClaim kubeflow/katib-mysql"));
      } else if (katibDb.isEmpty() && host.isPresent()) {
        refused.add(back("katib.database", host.get()));
      }
    }
    if (!refused.isEmpty()) {
      throw new KfbootException(
          String.join("; ", refused),
          "keep the external store in the inventory: kfboot moves a cluster from its in-cluster"
              + " stores to external ones, and the way back is by hand (docs/stores.md)",
          ExitCategory.INVALID_INPUT);
    }
    requireExternal();
    if (!moves.isEmpty()) {
      // the patched plan made before anything changes: a release kfboot cannot point at these
      // stores fails here, with the data still where it was
      new ReleasePlanner(installed, listener).offlinePlan();
    }
    List<String> namespaces = List.of();
    List<String> distinctWriters =
        writers.stream().distinct().filter(w -> running.test(NS + "/" + w)).toList();
    if (!moves.isEmpty()) {
      steps.add(0, "check the external stores (kfboot stores check)");
      steps.add(
          1,
          "scale to 0 what writes to the stores: "
              + String.join(", ", distinctWriters)
              + " (Pipelines and Katib are down until the last step)");
      if (store.isPresent()
          && moves.stream().anyMatch(m -> m.field().equals(store.get().where()))) {
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
          "apply the plan with the external stores (kfboot install), the writers back at their"
              + " replicas; left running for you to remove: "
              + String.join(", ", kept));
    }
    return new Plan(
        List.copyOf(moves), List.copyOf(steps), distinctWriters, namespaces, List.copyOf(kept));
  }

  Done run(KubernetesClient client, Plan plan, PodExec exec, StoreAccess access, Path dir) {
    Backups.requireWritable(dir);
    List<String> done = new ArrayList<>();
    StoresChecks checks = new StoresChecks(settings, listener);
    List<CheckResult> results = checks.run();
    Preflights.report(results, listener);
    StoresChecks.requirePassed(results);
    done.add("external stores checked");

    for (String w : plan.writers()) {
      scaleDown(client, w);
    }
    done.add("scaled to 0: " + String.join(", ", plan.writers()));

    StoreSecrets.Resolved resolved =
        StoreSecrets.resolve(settings.stores(), settings.env(), client);
    SecretValues secrets = resolved.secrets();
    Map<String, String> install =
        data(client.configMaps().inNamespace(NS).withName("pipeline-install-config").get());
    for (Move m : plan.moves()) {
      StoresConfig want = resolved.stores();
      if (want.pipelinesDb().filter(d -> d.where().equals(m.field())).isPresent()) {
        done.add(
            copyPipelinesDatabase(client, exec, want.pipelinesDb().get(), install, secrets, dir));
      } else if (want.katibDb().filter(d -> d.where().equals(m.field())).isPresent()) {
        done.add(copyKatibDatabase(client, exec, want.katibDb().get(), secrets, dir));
      } else if (want.pipelinesStore().filter(s -> s.where().equals(m.field())).isPresent()) {
        done.add(copyBucket(client, access, want.pipelinesStore().get(), install, secrets));
      }
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

    listener.report("applying the plan with the external stores");
    new Installation(installSettings(client), listener).install();
    for (String w : plan.writers()) {
      restore(client, w);
    }
    done.add("applied; writers back: " + String.join(", ", plan.writers()));
    return new Done(plan, dir, List.copyOf(done));
  }

  private String copyPipelinesDatabase(
      KubernetesClient client,
      PodExec exec,
      Database db,
      Map<String, String> install,
      SecretValues secrets,
      Path dir) {
    Secret account = Backups.secret(client, NS + "/mysql-secret");
    String user = ClusterFacts.secretValue(account, "username").orElse("root");
    String password = ClusterFacts.secretValue(account, "password").orElse("");
    String pod = pod(client, "app=mysql");
    String target = secrets.value(db.password(), db.passwordField());
    List<String> names = pipelinesNames(install);
    List<String> roles = List.of("pipelines", "cache", "metadata");
    DatabaseDump dump = new DatabaseDump(exec);
    DatabaseLoad load = new DatabaseLoad(exec);
    for (int i = 0; i < roles.size(); i++) {
      String to = db.databases().get(roles.get(i));
      listener.report("mysqldump of " + names.get(i) + " into " + address(db) + " as " + to);
      Path file =
          dump.dump(
              NS,
              pod,
              null,
              new DatabaseDump.Single(
                  "pipelines-" + roles.get(i), "127.0.0.1", 3306, user, names.get(i)),
              password,
              dir);
      load.loadInto(NS, pod, null, db.host(), db.port(), db.user(), target, to, file);
    }
    return "pipelines' databases " + String.join(", ", names) + " copied to " + address(db);
  }

  private String copyKatibDatabase(
      KubernetesClient client, PodExec exec, Database db, SecretValues secrets, Path dir) {
    Secret account = Backups.secret(client, NS + "/katib-mysql-secrets");
    String password = Backups.value(account, "MYSQL_ROOT_PASSWORD");
    String pod = pod(client, "katib.kubeflow.org/component=mysql");
    String to = db.databases().get("katib");
    listener.report("mysqldump of katib into " + address(db) + " as " + to);
    Path file =
        new DatabaseDump(exec)
            .dump(
                NS,
                pod,
                null,
                new DatabaseDump.Single("katib", "127.0.0.1", 3306, "root", "katib"),
                password,
                dir);
    new DatabaseLoad(exec)
        .loadInto(
            NS,
            pod,
            null,
            db.host(),
            db.port(),
            db.user(),
            secrets.value(db.password(), db.passwordField()),
            to,
            file);
    return "katib's database copied to " + address(db);
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

  private static String back(String field, String where) {
    return field
        + " is in-cluster in the inventory, but the cluster uses the external "
        + where
        + "; kfboot does not move data back from an external store";
  }

  private static List<String> pipelinesNames(Map<String, String> install) {
    return List.of(
        install.getOrDefault("pipelineDb", "mlpipeline"),
        install.getOrDefault("cacheDb", "cachedb"),
        install.getOrDefault("mlmdDb", "metadb"));
  }

  private static Map<String, String> data(ConfigMap c) {
    return c == null || c.getData() == null ? Map.of() : c.getData();
  }

  private static String address(Database db) {
    return db.host() + ":" + db.port();
  }
}
