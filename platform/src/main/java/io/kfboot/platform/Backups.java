package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.k3s.Datastore;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.upgrade.ClusterFacts;
import io.kfboot.components.upgrade.DatabaseDump;
import io.kfboot.components.upgrade.PodExec;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.storage.objectstore.BucketArchive;
import io.kfboot.storage.objectstore.StoreAccess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The backup of a cluster, which {@code kfboot backup} takes alone and {@code kfboot upgrade}
 * before any change: a {@code mysqldump} of Pipelines' and Katib's databases streamed from their
 * pods, the listing of Pipelines' bucket (and its objects where asked) through a port-forward, and,
 * for clusters kfboot made over SSH, the k3s datastore and its server token. Everything goes into
 * one folder of 0600 files, {@code $XDG_STATE_HOME/kfboot/backups/CLUSTER/RELEASE-TIME/} unless
 * another is given, described by its {@link BackupManifest}.
 */
public final class Backups {
  /**
   * @param dir the folder; created, and must be writable before anything is taken
   * @param objects copy the bucket's objects too, not only its listing
   * @param servers the cluster's servers over SSH, the first one first; empty: no datastore
   */
  public record Request(Path dir, boolean objects, List<HostOperator> servers) {
    public Request {
      servers = List.copyOf(servers);
    }
  }

  private final KubernetesClient client;
  private final PodExec exec;
  private final StoreAccess stores;
  private final Datastore datastore;
  private final Consumer<String> progress;

  public Backups(
      KubernetesClient client,
      PodExec exec,
      StoreAccess stores,
      Datastore datastore,
      Consumer<String> progress) {
    this.client = client;
    this.exec = exec;
    this.stores = stores;
    this.datastore = datastore;
    this.progress = progress;
  }

  public static Path defaultDir(Map<String, String> env, String cluster, String release) {
    Path state = XdgDirs.stateHome(env);
    String time =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    return state
        .resolve("kfboot")
        .resolve("backups")
        .resolve(cluster)
        .resolve(release + "-" + time);
  }

  /** The databases a release runs, as the backup dumps them (files not yet made). */
  public static List<BackupManifest.Database> databases(Predicate<String> installed) {
    List<BackupManifest.Database> out = new ArrayList<>();
    if (installed.test("kubeflow/mysql")) {
      out.add(
          new BackupManifest.Database(
              "pipelines",
              "pipelines.sql",
              "kubeflow",
              "mysql",
              "app=mysql",
              3306,
              null,
              "kubeflow/mysql-secret",
              "password",
              List.of("mlpipeline", "cachedb", "metadb")));
    }
    if (installed.test("kubeflow/katib-mysql")) {
      out.add(
          new BackupManifest.Database(
              "katib",
              "katib.sql",
              "kubeflow",
              "katib-mysql",
              "katib.kubeflow.org/component=mysql",
              3306,
              "root",
              "kubeflow/katib-mysql-secrets",
              "MYSQL_ROOT_PASSWORD",
              List.of("katib")));
    }
    return out;
  }

  /** Pipelines' artifact store of a release: MinIO up to v1.10, SeaweedFS after. */
  public static Optional<BackupManifest.Bucket> bucket(Predicate<String> installed) {
    String pods;
    int port;
    if (installed.test("kubeflow/minio")) {
      pods = "app=minio";
      port = 9000;
    } else if (installed.test("kubeflow/seaweedfs")) {
      pods = "app=seaweedfs";
      port = 8333;
    } else {
      return Optional.empty();
    }
    return Optional.of(
        new BackupManifest.Bucket(
            "mlpipeline",
            BucketArchive.listingFile(Path.of(""), "mlpipeline").toString(),
            false,
            0,
            0,
            "kubeflow",
            pods,
            port,
            "kubeflow/mlpipeline-minio-artifact",
            "accesskey",
            "secretkey"));
  }

  /**
   * What {@code kfboot backup} did: the folder and its manifest, or, with {@code beforeUpgradeTo},
   * why no backup was needed.
   */
  public record Taken(Path dir, BackupManifest manifest, String skipped) {}

  /**
   * {@code kfboot backup} on the cluster of the settings' kubeconfig: what is installed read from
   * the cluster itself (no render needed), the release from kfboot's install record.
   *
   * @param backupDir null for the default folder under XDG_STATE_HOME
   * @param beforeUpgradeTo when not null, back up only if the cluster holds another release kfboot
   *     installed (the Pulumi stack's step before a release change)
   */
  public static Taken ofCluster(
      PlatformSettings settings,
      PlatformListener listener,
      Path backupDir,
      boolean objects,
      boolean datastore,
      String beforeUpgradeTo) {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      Optional<InstallState> state = InstallState.read(client);
      if (beforeUpgradeTo != null
          && (state.isEmpty() || state.get().release().equals(beforeUpgradeTo))) {
        return new Taken(
            null,
            null,
            state.isEmpty()
                ? "kfboot has installed nothing on this cluster"
                : "the cluster holds " + beforeUpgradeTo + " already");
      }
      String release = state.map(InstallState::release).orElse("unrecorded");
      Path dir =
          backupDir != null
              ? backupDir
              : defaultDir(settings.env(), ClusterConnection.clusterName(client), release);
      listener.report("backup into " + dir);
      // an external store is the site's to back up; its kept in-cluster server holds stale data
      ClusterStores.pipelinesDatabase(client)
          .ifPresent(h -> listener.warning(external("Pipelines' database", h)));
      ClusterStores.objectStore(client)
          .ifPresent(e -> listener.warning(external("Pipelines' object store", e)));
      ClusterStores.katibDatabase(client)
          .ifPresent(h -> listener.warning(external("Katib's database", h)));
      BackupManifest m =
          take(
              settings,
              listener,
              client,
              ClusterStores.inUse(client),
              release,
              dir,
              objects,
              datastore);
      return new Taken(dir, m, null);
    }
  }

  private static String external(String what, String where) {
    return what
        + " is external ("
        + where
        + "): not in this backup; back it up with the tools of the site that runs it";
  }

  /**
   * The backup as the CLI and the upgrade take it: pods reached through the kubeconfig's API (exec
   * and port-forward), the servers of the inventory over SSH when one is given.
   *
   * @param datastore save the k3s datastore (needs the inventory)
   */
  public static BackupManifest take(
      PlatformSettings settings,
      PlatformListener listener,
      KubernetesClient client,
      Predicate<String> installed,
      String release,
      Path dir,
      boolean objects,
      boolean datastore) {
    List<HostOperator> servers =
        datastore && settings.inventory().isPresent()
            ? new Hosts(settings, listener).servers()
            : List.of();
    try {
      return new Backups(
              client,
              PodExec.kubernetes(client, settings.install().gateTimeout()),
              StoreAccess.portForward(client),
              new Datastore(settings.hosts().commandTimeout(), listener::report),
              listener::report)
          .take(
              installed,
              release,
              ClusterConnection.clusterName(client),
              new Request(dir, objects, servers));
    } finally {
      servers.forEach(HostOperator::close);
    }
  }

  /** Takes the backup of the installed release; its manifest, written last. */
  public BackupManifest take(
      Predicate<String> installed, String release, String cluster, Request request) {
    Path dir = request.dir();
    requireWritable(dir);
    Map<String, String> files = new LinkedHashMap<>();
    List<BackupManifest.Database> dumped = new ArrayList<>();
    for (BackupManifest.Database d : databases(installed)) {
      progress.accept("mysqldump of " + String.join(", ", d.databases()) + " from " + d.pods());
      dumped.add(dump(d, dir));
      files.put(d.file(), BackupManifest.sha256(dir.resolve(d.file())));
    }
    List<BackupManifest.Bucket> buckets = new ArrayList<>();
    Optional<BackupManifest.Bucket> store = bucket(installed);
    if (store.isPresent()) {
      BackupManifest.Bucket b = store.get();
      progress.accept(
          (request.objects() ? "copy" : "listing")
              + " of bucket "
              + b.bucket()
              + " ("
              + b.pods()
              + ")");
      Secret keys = secret(b.secret());
      try (StoreAccess.Open open =
          stores.open(
              b.namespace(),
              pod(b.namespace(), b.pods()),
              b.port(),
              value(keys, b.accessKeyField()),
              value(keys, b.secretKeyField()))) {
        BucketArchive.Listing l =
            new BucketArchive(progress)
                .save(open.store(), b.bucket(), dir, request.objects())
                .listing();
        buckets.add(
            new BackupManifest.Bucket(
                b.bucket(),
                b.file(),
                l.copied(),
                l.objects().size(),
                l.bytes(),
                b.namespace(),
                b.pods(),
                b.port(),
                b.secret(),
                b.accessKeyField(),
                b.secretKeyField()));
        files.put(b.file(), BackupManifest.sha256(dir.resolve(b.file())));
      }
    }
    BackupManifest.Datastore saved = null;
    if (!request.servers().isEmpty()) {
      HostOperator first = request.servers().get(0);
      // k3s names the snapshot's ETCDSnapshotFile object after it: lower case, no odd characters
      String name =
          ("kfboot-" + dir.getFileName()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
      Datastore.Snapshot s = datastore.save(first, name, dir);
      saved =
          new BackupManifest.Datastore(
              s.kind().name(),
              s.host(),
              dir.relativize(s.file()).toString(),
              dir.relativize(s.token()).toString());
      files.put(saved.file(), BackupManifest.sha256(s.file()));
      files.put(saved.token(), BackupManifest.sha256(s.token()));
    }
    return new BackupManifest(
            BackupManifest.FORMAT,
            cluster,
            release,
            Instant.now().toString(),
            dumped,
            buckets,
            saved,
            files)
        .write(dir);
  }

  private BackupManifest.Database dump(BackupManifest.Database d, Path dir) {
    Secret secret = secret(d.secret());
    String user = d.user();
    List<String> dbs = d.databases();
    if (d.name().equals("pipelines")) {
      // the names and user the release configured, where it says
      ConfigMap config =
          client.configMaps().inNamespace(d.namespace()).withName("pipeline-install-config").get();
      Map<String, String> c =
          config == null || config.getData() == null ? Map.of() : config.getData();
      dbs =
          List.of(
              c.getOrDefault("pipelineDb", "mlpipeline"),
              c.getOrDefault("cacheDb", "cachedb"),
              c.getOrDefault("mlmdDb", "metadb"));
      user = ClusterFacts.secretValue(secret, "username").orElse("root");
    }
    new DatabaseDump(exec)
        .dump(
            d.namespace(),
            pod(d.namespace(), d.pods()),
            null,
            new DatabaseDump.Target(d.name(), d.port(), user, dbs),
            ClusterFacts.secretValue(secret, d.passwordKey()).orElse(""),
            dir);
    return new BackupManifest.Database(
        d.name(),
        d.file(),
        d.namespace(),
        d.deployment(),
        d.pods(),
        d.port(),
        user,
        d.secret(),
        d.passwordKey(),
        dbs);
  }

  /** A folder that cannot be written fails before anything is taken, naming the folder. */
  static void requireWritable(Path dir) {
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".kfboot-probe", "");
      Files.delete(probe);
    } catch (IOException | UnsupportedOperationException e) {
      throw new KfbootException(
          "the backup folder " + dir + " cannot be written: " + e.getMessage(),
          "give --backup-dir a folder this user may write, with room for the dumps",
          ExitCategory.INVALID_INPUT,
          e);
    }
  }

  /** "namespace/name" of each Deployment a plan holds. */
  public static Predicate<String> deploymentsOf(InstallPlan plan) {
    Set<String> names =
        plan.components().stream()
            .flatMap(c -> c.objects().stream())
            .filter((K8sObject o) -> o.kind().equals("Deployment"))
            .map(o -> o.namespace() + "/" + o.name())
            .collect(Collectors.toSet());
    return names::contains;
  }

  /** "namespace/name" of each Deployment on the cluster, looked up when asked. */
  public static Predicate<String> deploymentsOn(KubernetesClient client) {
    return ref ->
        client
                .apps()
                .deployments()
                .inNamespace(ref.substring(0, ref.indexOf('/')))
                .withName(ref.substring(ref.indexOf('/') + 1))
                .get()
            != null;
  }

  private Secret secret(String ref) {
    return secret(client, ref);
  }

  /** The Secret "namespace/name" kfboot reads a password or keys from. */
  static Secret secret(KubernetesClient client, String ref) {
    String namespace = ref.substring(0, ref.indexOf('/'));
    String name = ref.substring(ref.indexOf('/') + 1);
    Secret s = client.secrets().inNamespace(namespace).withName(name).get();
    if (s == null) {
      throw new KfbootException(
          "the Secret " + ref + " is missing, so kfboot cannot log in to the database or store",
          "rerun 'kfboot install' for the installed release (or, restoring, put the datastore"
              + " back first with --datastore)",
          ExitCategory.UNEXPECTED_STATE);
    }
    return s;
  }

  static String value(Secret s, String key) {
    return ClusterFacts.secretValue(s, key)
        .orElseThrow(
            () ->
                new KfbootException(
                    "the Secret "
                        + s.getMetadata().getNamespace()
                        + "/"
                        + s.getMetadata().getName()
                        + " has no key "
                        + key,
                    "rerun 'kfboot install' for the installed release",
                    ExitCategory.UNEXPECTED_STATE));
  }

  String pod(String namespace, String selector) {
    return ClusterFacts.runningPod(client, namespace, selector)
        .orElseThrow(
            () ->
                new KfbootException(
                    "no running pod " + selector + " in " + namespace + " to back up from",
                    "it must run for its backup: check 'kubectl get pods -n "
                        + namespace
                        + " -l "
                        + selector
                        + "'",
                    ExitCategory.UNEXPECTED_STATE));
  }
}
