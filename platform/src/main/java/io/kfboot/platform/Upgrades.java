package io.kfboot.platform;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.install.Installer;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.upgrade.ClusterFacts;
import io.kfboot.components.upgrade.ReleaseDiff;
import io.kfboot.components.upgrade.UpgradeCatalog;
import io.kfboot.components.upgrade.UpgradeException;
import io.kfboot.components.upgrade.UpgradeHop;
import io.kfboot.components.upgrade.UpgradeState;
import io.kfboot.components.upgrade.UpgradeStep;
import io.kfboot.components.upgrade.Upgrader;
import io.kfboot.core.ExitCategory;
import io.kfboot.storage.StorageComponent;
import io.kfboot.storage.objectstore.PortForwardedBucketCopier;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Upgrades of an installed cluster to a newer release: what {@code kfboot upgrade --plan} shows,
 * read-only. The plan joins the release pair's data ({@link UpgradeCatalog}), the diff of the two
 * renders against what the cluster's inventory says kfboot applied ({@link ReleaseDiff}), and what
 * only the cluster knows: whether a CRD the new release drops still has objects, which profile
 * namespaces hold per-namespace objects to reset.
 */
public final class Upgrades {
  private final PlatformSettings settings;
  private final PlatformListener listener;

  public Upgrades(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  public UpgradePlan plan(String to) {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      return plan(client, to);
    }
  }

  /**
   * The plan of the upgrade a deployment of {@code to} would be, for those that apply it otherwise
   * (the stack previews it when its release changes): empty where kfboot installed nothing on the
   * cluster or it holds {@code to} already.
   */
  public Optional<UpgradePlan> pending(String to) {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      Optional<InstallState> state = InstallState.read(client);
      if (state.isEmpty() || state.get().release().equals(to)) {
        return Optional.empty();
      }
      return Optional.of(plan(client, to));
    }
  }

  /** What an upgrade did; {@code nothingToDo} when the cluster held the release already. */
  public record Applied(
      UpgradePlan plan, Upgrader.Report report, List<Path> backups, boolean nothingToDo) {}

  /**
   * Upgrades the cluster: the plan (refused if it holds refusals), the backup unless skipped (not
   * again on a rerun that resumes: it was taken before the first change), then the upgrade's steps.
   *
   * @param backupDir where the dumps go; null for the default folder under XDG_STATE_HOME
   * @param skipBackup for clusters whose databases are backed up otherwise
   * @param skipDatastore take no k3s datastore snapshot even where the inventory is given
   */
  public Applied apply(String to, Path backupDir, boolean skipBackup, boolean skipDatastore) {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      Optional<UpgradeState> running = UpgradeState.read(client);
      Optional<InstallState> state = InstallState.read(client);
      if (running.isEmpty()
          && state.isPresent()
          && state.get().release().equals(to)
          && Installation.complete(state)) {
        return new Applied(null, null, List.of(), true);
      }
      if (!skipBackup && backupDir != null) {
        // bad input fails before the releases are rendered, not minutes later
        Backups.requireWritable(backupDir);
      }
      UpgradePlan p = plan(client, to);
      p.requireNoRefusals();
      List<Path> backups = List.of();
      boolean resuming = running.filter(u -> u.to().equals(to)).isPresent();
      if (!skipBackup && !resuming) {
        Path dir =
            backupDir != null
                ? backupDir
                : Backups.defaultDir(
                    settings.env(), ClusterConnection.clusterName(client), p.hop().from());
        listener.report("backup into " + dir);
        BackupManifest m =
            Backups.take(
                settings,
                listener,
                client,
                Backups.deploymentsOf(p.installed()),
                p.hop().from(),
                dir,
                false,
                !skipDatastore);
        backups = m.files().keySet().stream().map(dir::resolve).toList();
      }
      Map<String, Integer> crds = p.crdObjects();
      Upgrader.Request request =
          new Upgrader.Request(
              p.hop(),
              p.installed().tree().origin(),
              p.fromComponents(),
              p.installed(),
              p.target(),
              p.inventory(),
              p.diff(),
              crds.entrySet().stream()
                  .filter(e -> e.getValue() > 0)
                  .map(Map.Entry::getKey)
                  .collect(Collectors.toSet()),
              p.profileNamespaces());
      Upgrader.Report report =
          new Upgrader(
                  client,
                  settings.install(),
                  listener,
                  new ClusterDiagnostics(client),
                  new PortForwardedBucketCopier(client, listener::report))
              .upgrade(request);
      return new Applied(p, report, backups, false);
    }
  }

  /**
   * The release pair's steps for a cluster whose artifacts are (or are not) in an external store.
   */
  static UpgradeHop forStores(UpgradeHop hop, boolean externalObjectStore) {
    if (!externalObjectStore) {
      return hop;
    }
    return new UpgradeHop(
        hop.from(),
        hop.to(),
        hop.steps().stream().filter(st -> !(st instanceof UpgradeStep.CopyBucket)).toList());
  }

  private UpgradePlan plan(KubernetesClient client, String to) {
    InstallState state = current(client, to);
    ReleasePlanner installedPlanner = recordedPlanner(state);
    Catalogs catalogs = installedPlanner.catalogs();
    UpgradeHop shipped = UpgradeCatalog.shipped(catalogs).hop(state.release(), to);
    // artifacts in an external store stay there: no in-cluster bucket to move between releases
    UpgradeHop hop = forStores(shipped, ClusterStores.objectStore(client).isPresent());
    ReleasePlanner targetPlanner =
        new ReleasePlanner(
            settings.withManifests(
                settings.release().manifests() == null ? to : settings.release().manifests()),
            listener);
    boolean bundled =
        installedPlanner.localPathStorage() && StorageComponent.hasBundledLocalPath(client);
    InstallPlan installed =
        installedPlanner.withStorage(installedPlanner.installedPlan(Optional.of(state)), bundled);
    Set<String> installedDefaults =
        catalogs.require(installed.tree().release()).components().stream()
            .filter(ComponentSpec::defaultEnabled)
            .map(ComponentSpec::id)
            .collect(Collectors.toSet());
    InstallPlan targetPlan =
        targetPlanner.withStorage(
            targetPlanner.upgradePlan(state.done(), installedDefaults), bundled);
    if (!targetPlan.tree().release().tag().equals(to)) {
      throw new UpgradeException(
          "--manifests holds " + targetPlan.tree().release().tag() + ", not " + to,
          "give --to " + targetPlan.tree().release().tag() + ", or --manifests of " + to,
          ExitCategory.INVALID_INPUT);
    }
    Optional<Credentials> credentials =
        CredentialsStore.forCluster(
                settings, ClusterConnection.clusterName(client), listener::warning)
            .load();
    InstallPlan from =
        credentials.map(cr -> ReleasePlanner.withAccess(installed, cr, settings)).orElse(installed);
    InstallPlan next =
        credentials
            .map(cr -> ReleasePlanner.withAccess(targetPlan, cr, settings))
            .orElse(targetPlan);
    String namespace = AppliedInventory.defaultNamespace(client);
    Optional<AppliedInventory> recorded = AppliedInventory.read(client);
    AppliedInventory inventory =
        recorded.orElseGet(() -> AppliedInventory.empty().plus(from, namespace));
    ReleaseDiff diff = ReleaseDiff.between(from, inventory, next, namespace);
    return new UpgradePlan(
        hop,
        diff,
        recorded.isEmpty(),
        ClusterFacts.crdObjects(client, diff),
        ClusterFacts.profileNamespaces(client),
        from,
        next,
        inventory,
        state.done());
  }

  /**
   * What the cluster held before this upgrade: the install record, or, when an upgrade to {@code
   * to} was cut off, what that upgrade recorded of the old release.
   */
  private static InstallState current(KubernetesClient client, String to) {
    Optional<UpgradeState> running = UpgradeState.read(client).filter(u -> u.to().equals(to));
    if (running.isPresent()) {
      UpgradeState u = running.get();
      return new InstallState(
          u.from(), "", u.fromSource(), Installer.PHASE_INSTALLED, u.fromComponents(), "");
    }
    return installed(client);
  }

  private static InstallState installed(KubernetesClient client) {
    InstallState state =
        InstallState.read(client)
            .orElseThrow(
                () ->
                    new UpgradeException(
                        "kfboot has installed nothing on this cluster (no "
                            + InstallState.NAMESPACE
                            + "/"
                            + InstallState.NAME
                            + " ConfigMap), so it cannot tell what to upgrade",
                        "install with 'kfboot install --manifests RELEASE' (the release that is"
                            + " there, which kfboot then adopts) and upgrade after",
                        ExitCategory.UNEXPECTED_STATE));
    if (!Installation.complete(Optional.of(state))) {
      throw new UpgradeException(
          "the install of " + state.release() + " is " + state.phase() + ", not complete",
          "finish it first: rerun 'kfboot install --manifests " + state.release() + "'",
          ExitCategory.UNEXPECTED_STATE);
    }
    return state;
  }

  /** A planner of the recorded release, from where it was installed when that is still here. */
  private ReleasePlanner recordedPlanner(InstallState state) {
    boolean local = !state.source().isBlank() && Files.exists(Path.of(state.source()));
    return new ReleasePlanner(
        settings.withManifests(local ? state.source() : state.release()), listener);
  }

  /** What an upgrade did, for a person. */
  public static String summary(Applied a) {
    Upgrader.Report r = a.report();
    StringBuilder b = new StringBuilder();
    b.append("upgraded ").append(a.plan().hop()).append('\n');
    a.backups().forEach(f -> b.append("  backup: ").append(f).append('\n'));
    r.deletedFirst().forEach(x -> b.append("  deleted before the apply: ").append(x).append('\n'));
    if (!r.restarted().isEmpty()) {
      b.append("  restarted for the new Istio sidecar: ")
          .append(r.restarted().size())
          .append(" workloads\n");
    }
    r.copies()
        .forEach(
            c ->
                b.append("  bucket copied: ")
                    .append(c.objects())
                    .append(" objects, ")
                    .append(c.copied())
                    .append(" sent this run\n"));
    r.reset().forEach(x -> b.append("  reset for the profile controller: ").append(x).append('\n'));
    b.append("  pruned: ").append(r.pruned().size()).append(" objects\n");
    r.kept().forEach(x -> b.append("  kept: ").append(x).append('\n'));
    return b.toString();
  }
}
