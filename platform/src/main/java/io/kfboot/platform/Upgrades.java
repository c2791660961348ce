package io.kfboot.platform;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.upgrade.ClusterFacts;
import io.kfboot.components.upgrade.ReleaseDiff;
import io.kfboot.components.upgrade.UpgradeCatalog;
import io.kfboot.components.upgrade.UpgradeException;
import io.kfboot.components.upgrade.UpgradeHop;
import io.kfboot.core.ExitCategory;
import io.kfboot.storage.StorageComponent;
import java.nio.file.Files;
import java.nio.file.Path;
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
      InstallState state = installed(client);
      ReleasePlanner installedPlanner = recordedPlanner(state);
      Catalogs catalogs = installedPlanner.catalogs();
      UpgradeHop hop = UpgradeCatalog.shipped(catalogs).hop(state.release(), to);
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
          credentials.map(cr -> ReleasePlanner.withCredentials(installed, cr)).orElse(installed);
      InstallPlan next =
          credentials.map(cr -> ReleasePlanner.withCredentials(targetPlan, cr)).orElse(targetPlan);
      Optional<AppliedInventory> recorded = AppliedInventory.read(client);
      AppliedInventory inventory =
          recorded.orElseGet(
              () -> AppliedInventory.empty().plus(from, AppliedInventory.defaultNamespace(client)));
      ReleaseDiff diff =
          ReleaseDiff.between(from, inventory, next, AppliedInventory.defaultNamespace(client));
      return new UpgradePlan(
          hop,
          diff,
          recorded.isEmpty(),
          ClusterFacts.crdObjects(client, diff),
          ClusterFacts.profileNamespaces(client),
          from,
          next);
    }
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
}
