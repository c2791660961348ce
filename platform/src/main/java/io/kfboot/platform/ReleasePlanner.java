package io.kfboot.platform;

import io.kfboot.bootstrap.inventory.Inventory.Nvidia;
import io.kfboot.bootstrap.inventory.Inventory.Storage;
import io.kfboot.bootstrap.inventory.Inventory.StorageMode;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.auth.CredentialsPatch;
import io.kfboot.components.auth.IdentityPatch;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.catalog.CatalogLoader;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.components.gateway.GatewayPatch;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.Planner;
import io.kfboot.components.stores.StoresPatch;
import io.kfboot.gpu.DevicePlugin;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.archive.ArchiveLimits;
import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.source.CacheDirs;
import io.kfboot.manifests.source.HttpDownloader;
import io.kfboot.manifests.source.ManifestsSource;
import io.kfboot.manifests.source.ReleaseResolver;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.storage.StorageComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A release turned into an install plan, the one way plan, images, install, uninstall, up and the
 * Pulumi stack all make it: the release fetched and checked, rendered with a real kustomize, the
 * k3s adaptations, the GPU component (asked for, or implied by GPU hosts), storage ahead of every
 * release component, and the generated credentials in place of upstream's defaults.
 */
public final class ReleasePlanner {
  private final PlatformSettings settings;
  private final Progress progress;

  public ReleasePlanner(PlatformSettings settings, Progress progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /** A resolved release: tree, catalog and the kustomize to render it with. */
  public record Loaded(ReleaseTree tree, ReleaseCatalog catalog, Kustomize kustomize) {}

  public Catalogs catalogs() {
    Catalogs shipped = Catalogs.shipped();
    Path extra = settings.release().catalog();
    return extra == null ? shipped : shipped.with(CatalogLoader.load(extra));
  }

  /** The release tree the settings name (default: the newest supported release). */
  public ReleaseTree resolveTree(Catalogs catalogs) {
    PlatformSettings.ReleaseSource r = settings.release();
    String spec = Optional.ofNullable(r.manifests()).orElseGet(() -> newest(catalogs));
    ReleaseResolver resolver =
        new ReleaseResolver(
            CacheDirs.fromEnvironment(settings.env()),
            catalogs,
            HttpDownloader.defaults(progress),
            r.baseUrl(),
            ArchiveLimits.DEFAULT,
            progress);
    return resolver.resolve(
        ManifestsSource.parse(spec),
        Optional.ofNullable(r.sha256()),
        Optional.ofNullable(r.release()));
  }

  public Loaded load() {
    Catalogs catalogs = catalogs();
    ReleaseTree tree = resolveTree(catalogs);
    ReleaseCatalog catalog = catalogs.require(tree.release());
    Kustomize k =
        Kustomize.locate(Optional.ofNullable(settings.release().kustomize()), settings.env())
            .requireAtLeast(catalog.kustomizeMinVersion(), tree.release().tag());
    progress.report("release " + tree.release() + " from " + tree.origin() + "; " + k.describe());
    return new Loaded(tree, catalog, k);
  }

  /**
   * The release's selected components, with the GPU component where asked for or where hosts have
   * GPUs.
   */
  public InstallPlan releasePlan() {
    return releasePlan(
        settings.selection().components(),
        settings.selection().without(),
        settings.selection().gpu() || settings.gpuHosts());
  }

  private InstallPlan releasePlan(List<String> components, List<String> without, boolean gpu) {
    Loaded loaded = load();
    Renderer renderer =
        new Renderer(
            loaded.kustomize(),
            Runtime.getRuntime().availableProcessors(),
            settings.release().renderTimeout(),
            progress);
    InstallPlan plan =
        new Planner(renderer, progress)
            .plan(
                new Planner.Request(
                    loaded.tree(),
                    loaded.catalog(),
                    components,
                    without,
                    settings.release().allowRemoteBases(),
                    settings.selection().adaptations()),
                loaded.kustomize().describe());
    if (gpu) {
      plan = DevicePlugin.addTo(plan, settings.nvidia());
    }
    progress.report(
        "planned " + plan.components().size() + " components, " + plan.objectCount() + " objects");
    return plan;
  }

  /**
   * The plan with the storage component ahead of the release's components.
   *
   * @param bundledLocalPath whether the cluster runs k3s' local-path provisioner; offline (plan,
   *     the stack) kfboot assumes a k3s cluster, which does
   */
  public InstallPlan withStorage(InstallPlan plan, boolean bundledLocalPath) {
    return StorageComponent.addTo(plan, settings.storage(), bundledLocalPath);
  }

  /**
   * What {@code kfboot plan} shows: the release plan with storage and the identity settings,
   * offline. Secrets are placeholders and the users' passwords throwaway ones: this plan is
   * printed, never applied.
   */
  public InstallPlan offlinePlan() {
    InstallPlan plan = withStorage(releasePlan(), true);
    Credentials throwaway =
        Credentials.generate(settings.adminEmail(), new SecureRandom())
            .withUsers(settings.generatedUsers(), new SecureRandom());
    InstallPlan stores = StoresPatch.apply(plan, settings.stores(), SecretValues.PLACEHOLDERS);
    return IdentityPatch.apply(
        GatewayPatch.apply(stores, settings.access().gateway()),
        settings.access().auth(),
        settings.issuer(),
        throwaway,
        SecretValues.PLACEHOLDERS);
  }

  public boolean localPathStorage() {
    return settings.storage().mode() == StorageMode.LOCAL_PATH;
  }

  /**
   * kfboot's own components around a release plan: the GPU component where asked, and storage ahead
   * of everything; for callers that made the release plan already (the stack).
   */
  public static InstallPlan withPlatform(
      InstallPlan releasePlan,
      Storage storage,
      Nvidia nvidia,
      boolean gpu,
      boolean bundledLocalPath) {
    InstallPlan plan = gpu ? DevicePlugin.addTo(releasePlan, nvidia) : releasePlan;
    return StorageComponent.addTo(plan, storage, bundledLocalPath);
  }

  /**
   * The plan with the settings' external databases, the gateway (exposure, HTTPS, cookies),
   * kfboot's credentials in place of upstream's defaults, and the settings' identity (issuer,
   * static users, connectors) in Dex, oauth2-proxy and the gateway.
   *
   * @param secrets the connector secrets' values: from the environment and files for a plan that is
   *     applied, placeholders for one that is only shown
   */
  public static InstallPlan withAccess(
      InstallPlan plan, Credentials credentials, PlatformSettings settings, SecretValues secrets) {
    InstallPlan withStores = StoresPatch.apply(plan, settings.stores(), secrets);
    InstallPlan withGateway = GatewayPatch.apply(withStores, settings.access().gateway());
    InstallPlan withCredentials = CredentialsPatch.apply(withGateway, credentials);
    return IdentityPatch.apply(
        withCredentials, settings.access().auth(), settings.issuer(), credentials, secrets);
  }

  /** {@link #withAccess} with the secrets read from the environment and files. */
  public static InstallPlan withAccess(
      InstallPlan plan, Credentials credentials, PlatformSettings settings) {
    return withAccess(plan, credentials, settings, SecretValues.from(settings.env()));
  }

  /**
   * What an uninstall removes: exactly what the cluster's record says was installed, rendered from
   * where it was installed if that is still here (a tarball or directory), else by its tag; storage
   * stays (volumes of other workloads may live in its class).
   */
  public InstallPlan installedPlan(Optional<InstallState> state) {
    if (state.isEmpty()) {
      return releasePlan(List.of(), List.of(), false);
    }
    InstallState s = state.get();
    boolean local = !s.source().isBlank() && Files.exists(Path.of(s.source()));
    ReleasePlanner recorded =
        settings.release().manifests() != null
            ? this
            : new ReleasePlanner(
                settings.withManifests(local ? s.source() : s.release()), progress);
    return recorded.releasePlan(
        new ArrayList<>(releaseComponents(s)), List.of(), s.done().contains(DevicePlugin.ID));
  }

  /**
   * The release's components the install record lists, without those kfboot adds around a release
   * (the GPU device plugin, storage, the gateway's certificate).
   */
  public static List<String> releaseComponents(InstallState s) {
    return s.done().stream()
        .filter(
            id ->
                !id.equals(DevicePlugin.ID)
                    && !id.equals(StorageComponent.ID)
                    && !id.equals(GatewayPatch.TLS_COMPONENT))
        .toList();
  }

  /**
   * The plan an upgrade moves to: the release's default components, less those of the installed
   * release's defaults that the install left out, plus any other installed one the release still
   * has; the GPU component where one was installed.
   *
   * @param installed the components the cluster's record lists
   * @param installedDefaults the installed release's default components
   */
  public InstallPlan upgradePlan(List<String> installed, Set<String> installedDefaults) {
    Catalogs catalogs = catalogs();
    ReleaseCatalog target = catalogs.require(resolveTree(catalogs).release());
    Set<String> ids = new LinkedHashSet<>();
    for (ComponentSpec c : target.components()) {
      boolean leftOut = installedDefaults.contains(c.id()) && !installed.contains(c.id());
      if ((c.defaultEnabled() && !leftOut) || installed.contains(c.id())) {
        ids.add(c.id());
      }
    }
    return releasePlan(new ArrayList<>(ids), List.of(), installed.contains(DevicePlugin.ID));
  }

  private static String newest(Catalogs catalogs) {
    List<String> tags = catalogs.all().stream().map(r -> r.tag()).toList();
    return tags.get(tags.size() - 1);
  }
}
