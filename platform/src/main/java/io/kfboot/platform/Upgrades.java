package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.upgrade.KeepRules.Disposition;
import io.kfboot.components.upgrade.ReleaseDiff;
import io.kfboot.components.upgrade.UpgradeCatalog;
import io.kfboot.components.upgrade.UpgradeException;
import io.kfboot.components.upgrade.UpgradeHop;
import io.kfboot.core.ExitCategory;
import io.kfboot.storage.StorageComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Upgrades of an installed cluster to a newer release: what {@code kfboot upgrade --plan} shows,
 * read-only. The plan joins the release pair's data ({@link UpgradeCatalog}), the diff of the two
 * renders against what the cluster's inventory says kfboot applied ({@link ReleaseDiff}), and what
 * only the cluster knows: whether a CRD the new release drops still has objects, which profile
 * namespaces hold per-namespace objects to reset.
 */
public final class Upgrades {
  /** Profile namespaces carry this label (kubeflow/kubeflow profile-controller). */
  static final String PROFILE_LABEL = "app.kubernetes.io/part-of";

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
      AppliedInventory inventory = recorded.orElseGet(() -> AppliedInventory.of(from));
      ReleaseDiff diff = ReleaseDiff.between(from, inventory, next);
      return new UpgradePlan(
          hop,
          diff,
          recorded.isEmpty(),
          inUse(client, diff),
          profileNamespaces(client),
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

  /** For each CRD the new release drops: how many objects of its kind the cluster holds. */
  private static Map<String, Integer> inUse(KubernetesClient client, ReleaseDiff diff) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (ReleaseDiff.ComponentChanges c : diff.components()) {
      for (ReleaseDiff.Removal r : c.removed()) {
        if (r.keep().disposition() != Disposition.KEEP_IF_IN_USE) {
          continue;
        }
        String name = r.entry().name();
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().withName(name).get();
        out.put(name, crd == null ? 0 : count(client, crd));
      }
    }
    return out;
  }

  private static int count(KubernetesClient client, CustomResourceDefinition crd) {
    String version =
        crd.getSpec().getVersions().stream()
            .filter(v -> Boolean.TRUE.equals(v.getStorage()))
            .map(CustomResourceDefinitionVersion::getName)
            .findFirst()
            .orElse(crd.getSpec().getVersions().get(0).getName());
    boolean namespaced = !"Cluster".equals(crd.getSpec().getScope());
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(crd.getSpec().getGroup())
            .withVersion(version)
            .withKind(crd.getSpec().getNames().getKind())
            .withPlural(crd.getSpec().getNames().getPlural())
            .withNamespaced(namespaced)
            .build();
    List<GenericKubernetesResource> items =
        namespaced
            ? client.genericKubernetesResources(context).inAnyNamespace().list().getItems()
            : client.genericKubernetesResources(context).list().getItems();
    return items.size();
  }

  private static List<String> profileNamespaces(KubernetesClient client) {
    return client
        .namespaces()
        .withLabel(PROFILE_LABEL, "kubeflow-profile")
        .list()
        .getItems()
        .stream()
        .map(Namespace::getMetadata)
        .map(m -> m.getName())
        .collect(Collectors.toCollection(TreeSet::new))
        .stream()
        .toList();
  }
}
