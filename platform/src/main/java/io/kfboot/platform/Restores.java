package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.k3s.Datastore;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.upgrade.ClaimReset;
import io.kfboot.components.upgrade.ClusterFacts;
import io.kfboot.components.upgrade.DatabaseLoad;
import io.kfboot.components.upgrade.PodExec;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.storage.objectstore.BucketArchive;
import io.kfboot.storage.objectstore.StoreAccess;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.Waiter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kfboot restore}: the way back from a backup folder. Every file is checked against the
 * manifest first. Then, as asked: the k3s datastore put back over SSH (the cluster's objects, and
 * kfboot's install record, as they were: the old release); each database's volumes emptied where
 * its server cannot open what a newer server left there (MySQL 8.4 to 8.0); each dump loaded into
 * its server; the bucket's saved objects put back.
 */
public final class Restores {
  /**
   * @param datastore put the k3s datastore back (needs the inventory and a backup that has one)
   * @param databases load the dumps
   * @param resetVolumes empty the databases' volumes before loading
   * @param bucket put the saved objects back (needs a backup taken with --with-objects)
   */
  public record Request(
      Path from, boolean datastore, boolean databases, boolean resetVolumes, boolean bucket) {}

  /** What a restore did or would do, in order. */
  public record Report(BackupManifest manifest, List<String> steps) {
    public Report {
      steps = List.copyOf(steps);
    }
  }

  private final PlatformSettings settings;
  private final PlatformListener listener;

  public Restores(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /** The steps a restore would take, read-only: the manifest and its files are checked. */
  public Report plan(Request request) {
    BackupManifest m = BackupManifest.read(request.from());
    return new Report(m, steps(m, request));
  }

  private List<String> steps(BackupManifest m, Request r) {
    List<String> out = new ArrayList<>();
    if (r.datastore()) {
      if (m.datastore() == null) {
        throw new KfbootException(
            "the backup in " + r.from() + " holds no k3s datastore",
            "drop --datastore, or use a backup taken with --inventory",
            ExitCategory.INVALID_INPUT);
      }
      settings.requireInventory();
      out.add(
          "stop k3s on every server, restore the "
              + m.datastore().kind().toLowerCase()
              + " datastore taken on "
              + m.datastore().host()
              + " ("
              + m.release()
              + ") on the first, let the others rejoin, start k3s");
    }
    if (r.databases()) {
      for (BackupManifest.Database d : m.databases()) {
        if (r.resetVolumes()) {
          out.add(
              "empty the volumes of Deployment "
                  + d.namespace()
                  + "/"
                  + d.deployment()
                  + " (scaled to 0, claims made again)");
        }
        out.add(
            "load "
                + d.file()
                + " ("
                + String.join(", ", d.databases())
                + ") into "
                + d.pods()
                + " in "
                + d.namespace());
      }
    }
    if (r.bucket()) {
      for (BackupManifest.Bucket b : m.buckets()) {
        if (!b.copied()) {
          throw new KfbootException(
              "the backup holds only the listing of bucket " + b.bucket() + ", not its objects",
              "drop --bucket, or use a backup taken with --with-objects",
              ExitCategory.INVALID_INPUT);
        }
        out.add(
            "put back what bucket "
                + b.bucket()
                + " lacks of its "
                + b.objects()
                + " saved objects ("
                + b.pods()
                + ")");
      }
    }
    if (out.isEmpty()) {
      throw new KfbootException(
          "nothing to restore from "
              + r.from()
              + ": "
              + (r.databases() ? "it holds no database dump" : "--skip-databases")
              + ", and neither --datastore nor --bucket was given",
          "give --datastore (with --inventory) or --bucket, or a backup with dumps",
          ExitCategory.INVALID_INPUT);
    }
    return out;
  }

  /** Restores as asked; the steps taken. */
  public Report apply(Request request) {
    BackupManifest m = BackupManifest.read(request.from());
    List<String> steps = steps(m, request);
    Path dir = request.from();
    if (request.datastore()) {
      List<HostOperator> servers = new Hosts(settings, listener).servers();
      try {
        new Datastore(settings.hosts().commandTimeout(), listener::report)
            .restore(
                new Datastore.Snapshot(
                    Datastore.Kind.valueOf(m.datastore().kind()),
                    m.datastore().host(),
                    dir.resolve(m.datastore().file()),
                    dir.resolve(m.datastore().token())),
                servers,
                "k3s");
      } finally {
        servers.forEach(HostOperator::close);
      }
    }
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      Waiter waiter =
          new Waiter(
              settings.install().poll(), new ClusterDiagnostics(client), Waiter.Listener.NONE);
      if (request.datastore()) {
        // the API server answers again, with the record of the release the backup was taken of
        waiter.await(
            Condition.of(
                "the cluster answering with kfboot's install record of " + m.release(),
                List.of("kube-system"),
                () ->
                    InstallState.read(client)
                        .filter(s -> s.release().equals(m.release()))
                        .map(s -> ConditionResult.met(s.release()))
                        .orElse(ConditionResult.pending("no record of " + m.release() + " yet"))),
            settings.install().gateTimeout());
      }
      run(
          client,
          waiter,
          m,
          request,
          PodExec.kubernetes(client, settings.timeout()),
          StoreAccess.portForward(client));
    }
    return new Report(m, steps);
  }

  /** The cluster part of a restore, with the ways into pods given (tests give their own). */
  void run(
      KubernetesClient client,
      Waiter waiter,
      BackupManifest m,
      Request request,
      PodExec exec,
      StoreAccess stores) {
    Path dir = request.from();
    if (request.databases()) {
      for (BackupManifest.Database d : m.databases()) {
        if (request.resetVolumes()) {
          new ClaimReset(client, waiter, settings.install().gateTimeout(), listener::report)
              .reset(d.namespace(), d.deployment());
        }
        Secret secret = Backups.secret(client, d.secret());
        String pod = waitForPod(client, waiter, d.namespace(), d.pods());
        listener.report("loading " + d.file() + " into " + d.namespace() + "/" + pod);
        new DatabaseLoad(exec)
            .load(
                d.namespace(),
                pod,
                null,
                d.port(),
                d.user(),
                ClusterFacts.secretValue(secret, d.passwordKey()).orElse(""),
                dir.resolve(d.file()));
      }
    }
    if (request.bucket()) {
      for (BackupManifest.Bucket b : m.buckets()) {
        Secret keys = Backups.secret(client, b.secret());
        String pod = waitForPod(client, waiter, b.namespace(), b.pods());
        try (StoreAccess.Open open =
            stores.open(
                b.namespace(),
                pod,
                b.port(),
                Backups.value(keys, b.accessKeyField()),
                Backups.value(keys, b.secretKeyField()))) {
          new BucketArchive(listener::report).restore(dir, b.bucket(), open.store());
        }
      }
    }
  }

  private String waitForPod(KubernetesClient client, Waiter waiter, String ns, String selector) {
    return waiter
        .await(
            Condition.of(
                "a running pod " + selector + " in " + ns,
                List.of(ns),
                () ->
                    ClusterFacts.runningPod(client, ns, selector)
                        .map(ConditionResult::met)
                        .orElse(ConditionResult.pending("none running"))),
            settings.install().gateTimeout())
        .detail();
  }

  /** A report for a person. */
  public static String text(Report r, boolean planOnly) {
    StringBuilder b = new StringBuilder();
    b.append(planOnly ? "restore would, in order:\n" : "restored, in order:\n");
    r.steps().forEach(s -> b.append("  ").append(s).append('\n'));
    b.append("  (backup of ")
        .append(r.manifest().cluster())
        .append(" at ")
        .append(r.manifest().release())
        .append(", taken ")
        .append(r.manifest().takenAt())
        .append(")\n");
    return b.toString();
  }
}
