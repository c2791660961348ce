package io.kfboot.platform;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Nfs;
import io.kfboot.bootstrap.inventory.Inventory.Nvidia;
import io.kfboot.bootstrap.inventory.Inventory.Storage;
import io.kfboot.bootstrap.inventory.Inventory.StorageMode;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.components.access.AccessConfig;
import io.kfboot.components.access.AccessConfigLoader;
import io.kfboot.components.auth.AuthConfig;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.auth.StaticUser;
import io.kfboot.components.gateway.GatewayConfig;
import io.kfboot.components.gateway.GatewayConfig.Expose;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.RetryPolicy;
import io.kfboot.components.k3s.IstioCniK3sPaths;
import io.kfboot.components.k3s.K3sAdaptation;
import io.kfboot.components.stores.StoresConfig;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.source.ReleaseResolver;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every setting a kfboot operation needs, resolved once with kfboot's precedence: flag, then
 * environment (both already in the {@link SettingsInput}), then the inventory's {@code storage:}
 * and {@code nvidia:} sections and its hosts, then the defaults below, each written here and
 * nowhere else. Bad values are refused here, before anything is downloaded, rendered or sent.
 *
 * @param env the process environment, for what is looked up rather than set (PATH, HOME,
 *     KUBECONFIG)
 */
public record PlatformSettings(
    ReleaseSource release,
    Selection selection,
    Optional<Inventory> inventory,
    Path inventoryFile,
    Storage storage,
    Nvidia nvidia,
    boolean gpuHosts,
    ClusterTarget cluster,
    Installer.Options install,
    String adminEmail,
    AccessConfig access,
    String issuer,
    boolean authCheck,
    StoresConfig stores,
    boolean storeCheck,
    Path credentialsFile,
    HostAccess hosts,
    String gatewayUrl,
    Path gatewayCa,
    boolean verbose,
    Map<String, String> env) {

  public static final String DEFAULT_ADMIN_EMAIL = "user@example.com";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_POLL = Duration.ofSeconds(2);
  public static final int DEFAULT_PARALLELISM = 16;
  public static final Duration DEFAULT_RENDER_TIMEOUT = Duration.ofSeconds(180);
  public static final int DEFAULT_HOST_PARALLELISM = 8;
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(10);

  /** Which release, from where, rendered how. */
  public record ReleaseSource(
      String manifests,
      String sha256,
      String release,
      Path catalog,
      Path kustomize,
      boolean allowRemoteBases,
      Duration renderTimeout,
      URI baseUrl,
      boolean quiet) {}

  /** Which components and how they are adapted to k3s. */
  public record Selection(
      List<String> components,
      List<String> without,
      String gatewayServiceType,
      boolean gpu,
      List<K3sAdaptation> adaptations) {}

  /**
   * The cluster: a kubeconfig file (null: as kubectl finds it) and a context (null: its current).
   */
  public record ClusterTarget(Path kubeconfig, String context) {}

  /** How hosts are reached. */
  public record HostAccess(
      Path knownHosts,
      boolean acceptNewHostKeys,
      boolean local,
      boolean printCommands,
      int parallelism,
      Duration commandTimeout) {}

  public static PlatformSettings resolve(SettingsInput in, Map<String, String> env) {
    Installer.Options install = install(in);
    String email = Optional.ofNullable(in.adminEmail).orElse(DEFAULT_ADMIN_EMAIL);
    Credentials.requireEmail(email);
    HostAccess hosts = hosts(in, env);
    Path inventoryFile = in.inventory;
    Optional<Inventory> inventory = Optional.ofNullable(inventoryFile).map(InventoryLoader::load);
    String accessYaml =
        in.accessYaml != null
            ? in.accessYaml
            : Optional.ofNullable(env.get(Setting.ACCESS_YAML_ENV))
                .filter(s -> !s.isBlank())
                .orElse(null);
    AccessConfig access =
        accessYaml != null
            ? AccessConfigLoader.parse(accessYaml, "the stack config", Path.of("."))
            : Optional.ofNullable(inventoryFile)
                .map(AccessConfigLoader::load)
                .orElse(AccessConfig.DEFAULTS);
    GatewayConfig gateway = gateway(in, access.gateway());
    access = new AccessConfig(access.auth(), access.profiles(), gateway);
    Selection selection = selection(in, gateway);
    String issuer = issuer(in, access);
    Storage storage = storage(in, inventory);
    Nvidia nvidia = nvidia(in, inventory);
    boolean gpuHosts =
        inventory.map(i -> i.hosts().stream().anyMatch(Inventory.Host::gpu)).orElse(false);
    URI baseUrl =
        Optional.ofNullable(env.get(Setting.MANIFESTS_BASE_URL_ENV))
            .filter(s -> !s.isBlank())
            .map(URI::create)
            .orElse(ReleaseResolver.DEFAULT_BASE_URL);
    ReleaseSource release =
        new ReleaseSource(
            in.manifests,
            in.sha256,
            in.release,
            in.catalog,
            in.kustomize,
            in.allowRemoteBases,
            Optional.ofNullable(in.renderTimeout).orElse(DEFAULT_RENDER_TIMEOUT),
            baseUrl,
            in.quiet);
    return new PlatformSettings(
        release,
        selection,
        inventory,
        inventoryFile,
        storage,
        nvidia,
        gpuHosts,
        new ClusterTarget(in.kubeconfig, in.context),
        install,
        email,
        access,
        issuer,
        !in.noAuthCheck,
        stores(accessYaml, inventoryFile),
        !in.noStoreCheck,
        in.credentials,
        hosts,
        in.gatewayUrl,
        in.gatewayCa,
        in.verbose,
        Map.copyOf(env));
  }

  /** The same settings aimed at another kubeconfig and context (the cluster 'up' merged). */
  public PlatformSettings withKubeconfig(Path kubeconfig, String context) {
    return with(release, new ClusterTarget(kubeconfig, context), credentialsFile);
  }

  /**
   * The same settings keeping the credentials in {@code file} (an ephemeral cluster's, beside its
   * kubeconfig).
   */
  public PlatformSettings withCredentialsFile(Path file) {
    return with(release, cluster, file);
  }

  /**
   * The same settings with another release source (uninstall renders what the cluster's record
   * names).
   */
  public PlatformSettings withManifests(String manifests) {
    ReleaseSource r = release;
    return with(
        new ReleaseSource(
            manifests,
            r.sha256(),
            r.release(),
            r.catalog(),
            r.kustomize(),
            r.allowRemoteBases(),
            r.renderTimeout(),
            r.baseUrl(),
            r.quiet()),
        cluster,
        credentialsFile);
  }

  /**
   * The same settings for exactly these components (a switch re-applies what the cluster's record
   * says was installed, not the release's defaults).
   */
  public PlatformSettings withComponents(List<String> components) {
    Selection sel =
        new Selection(
            List.copyOf(components),
            List.of(),
            selection.gatewayServiceType(),
            selection.gpu(),
            selection.adaptations());
    return new PlatformSettings(
        release,
        sel,
        inventory,
        inventoryFile,
        storage,
        nvidia,
        gpuHosts,
        cluster,
        install,
        adminEmail,
        access,
        issuer,
        authCheck,
        stores,
        storeCheck,
        credentialsFile,
        hosts,
        gatewayUrl,
        gatewayCa,
        verbose,
        env);
  }

  /** The same settings with the preflight checks done (up checks before the hosts, not again). */
  public PlatformSettings withPreflightsDone() {
    return with(release, cluster, credentialsFile, false, false);
  }

  /** These settings with another release, cluster and credentials file; the rest as it is. */
  private PlatformSettings with(ReleaseSource r, ClusterTarget c, Path credentials) {
    return with(r, c, credentials, authCheck, storeCheck);
  }

  private PlatformSettings with(
      ReleaseSource r, ClusterTarget c, Path credentials, boolean auth, boolean storesToo) {
    return new PlatformSettings(
        r,
        selection,
        inventory,
        inventoryFile,
        storage,
        nvidia,
        gpuHosts,
        c,
        install,
        adminEmail,
        access,
        issuer,
        auth,
        stores,
        storesToo,
        credentials,
        hosts,
        gatewayUrl,
        gatewayCa,
        verbose,
        env);
  }

  /** How long one readiness gate or check may take. */
  public Duration timeout() {
    return install.gateTimeout();
  }

  /** The inventory, which host operations cannot do without. */
  public Inventory requireInventory() {
    return inventory.orElseThrow(
        () ->
            invalid(
                "no inventory given",
                "pass -i inventory.yaml (or set "
                    + Setting.INVENTORY.env()
                    + "); see docs/inventory.md"));
  }

  /** The one Dex issuer: --issuer (or its variable), else auth.issuer, else in the cluster. */
  private static String issuer(SettingsInput in, AccessConfig access) {
    if (in.issuer == null) {
      return access.auth().issuerFor(access.gateway().publicBase());
    }
    AuthConfig.issuerProblem(in.issuer)
        .ifPresent(
            p -> {
              throw invalid(
                  "--issuer " + p,
                  "give the URL browsers reach Dex at, e.g. https://kubeflow.example.org/dex");
            });
    return in.issuer;
  }

  /**
   * The external stores: the stack's sections (or KFBOOT_ACCESS_YAML) where given, else the
   * inventory's {@code pipelines:} and {@code katib:}, else the release's in-cluster stores.
   */
  private static StoresConfig stores(String accessYaml, Path inventoryFile) {
    if (accessYaml != null) {
      return AccessConfigLoader.parseStores(accessYaml, "the stack config", Path.of("."));
    }
    return Optional.ofNullable(inventoryFile)
        .map(AccessConfigLoader::loadStores)
        .orElse(StoresConfig.DEFAULTS);
  }

  /** The static users whose password kfboot generates and keeps in the credentials file. */
  public List<String> generatedUsers() {
    return access.auth().users().stream()
        .filter(StaticUser::generated)
        .map(StaticUser::email)
        .toList();
  }

  /**
   * The inventory's gateway: with the flags' exposure and allowInsecureHttp where given; a
   * combination that would break logins or cookies is refused here.
   */
  private static GatewayConfig gateway(SettingsInput in, GatewayConfig fromInventory) {
    GatewayConfig gateway = fromInventory;
    if (in.gatewayServiceType != null) {
      Expose expose =
          Expose.fromServiceType(in.gatewayServiceType)
              .orElseThrow(
                  () ->
                      invalid(
                          "--gateway-service-type "
                              + in.gatewayServiceType
                              + " is not a Service type kfboot sets",
                          "use ClusterIP, NodePort or LoadBalancer"));
      gateway = gateway.withExpose(expose);
    }
    if (in.allowInsecureHttp) {
      gateway = gateway.withAllowInsecureHttp(true);
    }
    gateway
        .problem()
        .ifPresent(
            p -> {
              throw invalid(p, "see docs/gateway.md; nothing was changed");
            });
    return gateway;
  }

  private static Selection selection(SettingsInput in, GatewayConfig gateway) {
    Set<String> both = new LinkedHashSet<>(in.components);
    both.retainAll(in.without);
    if (!both.isEmpty()) {
      throw invalid(
          "--components and --without both name "
              + String.join(", ", both)
              + ", which would plan nothing of it",
          "name each component in one of them only");
    }
    List<K3sAdaptation> adaptations = new ArrayList<>();
    if (!in.noK3sAdaptations) {
      adaptations.add(new IstioCniK3sPaths());
    }
    // the gateway's Service type is set with the rest of gateway: (GatewayPatch)
    return new Selection(
        List.copyOf(in.components),
        List.copyOf(in.without),
        gateway.exposed() ? gateway.expose().serviceType() : null,
        in.gpu,
        List.copyOf(adaptations));
  }

  private static Installer.Options install(SettingsInput in) {
    int parallelism = Optional.ofNullable(in.parallelism).orElse(DEFAULT_PARALLELISM);
    if (parallelism < 1 || parallelism > 64) {
      throw invalid(
          "--parallelism " + parallelism + " is out of range", "use a number from 1 to 64");
    }
    return new Installer.Options(
        parallelism,
        Optional.ofNullable(in.timeout).orElse(DEFAULT_TIMEOUT),
        Optional.ofNullable(in.pollInterval).orElse(DEFAULT_POLL),
        RetryPolicy.DEFAULT,
        !in.noWatch);
  }

  private static HostAccess hosts(SettingsInput in, Map<String, String> env) {
    int parallelism = Optional.ofNullable(in.hostParallelism).orElse(DEFAULT_HOST_PARALLELISM);
    if (parallelism < 1 || parallelism > 256) {
      throw invalid(
          "--parallelism " + parallelism + " is out of range", "use a number from 1 to 256");
    }
    Path home =
        Path.of(
            Optional.ofNullable(env.get("HOME"))
                .filter(s -> !s.isBlank())
                .orElse(System.getProperty("user.home")));
    Path known = Optional.ofNullable(in.knownHosts).orElse(home.resolve(".ssh/known_hosts"));
    return new HostAccess(
        known,
        in.acceptNewHostKeys,
        in.local,
        in.printCommands,
        parallelism,
        Optional.ofNullable(in.commandTimeout).orElse(DEFAULT_COMMAND_TIMEOUT));
  }

  private static Storage storage(SettingsInput in, Optional<Inventory> inv) {
    Storage fromInventory = inv.map(Inventory::storage).orElse(Storage.DEFAULTS);
    StorageMode mode = fromInventory.mode();
    if (in.storage != null) {
      mode = StorageMode.fromKey(in.storage);
      if (mode == null) {
        throw invalid(
            "--storage " + in.storage + " is no storage mode", "use one of " + StorageMode.keys());
      }
    }
    Optional<String> server = Optional.ofNullable(in.nfsServer);
    Optional<String> path = Optional.ofNullable(in.nfsPath);
    Nfs nfs = fromInventory.nfs();
    if (mode == StorageMode.NFS_STATIC && (nfs == null || nfs.volumes().isEmpty())) {
      throw invalid(
          "--storage nfs-static needs its fixed volumes, which only an inventory lists",
          "give --inventory FILE with storage.nfs.volumes (see docs/storage.md), or use --storage"
              + " nfs");
    }
    if (!mode.nfs()) {
      if (server.isPresent() || path.isPresent()) {
        throw invalid(
            "--nfs-server and --nfs-path apply to --storage nfs, not " + mode.key(),
            "add --storage nfs, or drop them");
      }
      return new Storage(mode, fromInventory.localPath(), null);
    }
    if (nfs == null && server.isEmpty()) {
      throw invalid(
          "--storage " + mode.key() + " needs an NFS server",
          "give --nfs-server ADDRESS (env "
              + Setting.NFS_SERVER.env()
              + "), or --inventory FILE with storage.nfs.server");
    }
    String p = path.orElse(nfs == null ? Nfs.DEFAULT_PATH : nfs.path());
    if (!p.startsWith("/") || p.equals("/") || p.contains("..")) {
      throw invalid(
          "--nfs-path " + p + " is no absolute directory",
          "give the exported directory, e.g. " + Nfs.DEFAULT_PATH);
    }
    // a server from the inventory is already an address (a host's name resolved to its address)
    String address = server.orElseGet(() -> nfs.address());
    Nfs resolved =
        new Nfs(
            nfs == null ? null : nfs.serverHost(),
            address,
            p,
            nfs == null ? Nfs.DEFAULT_OPTIONS : nfs.options(),
            nfs == null ? List.of() : nfs.volumes());
    return new Storage(mode, fromInventory.localPath(), resolved);
  }

  private static Nvidia nvidia(SettingsInput in, Optional<Inventory> inv) {
    Nvidia fromInventory = inv.map(Inventory::nvidia).orElse(Nvidia.DEFAULTS);
    int slices = fromInventory.timeSlicing();
    if (in.timeSlicing != null) {
      slices = in.timeSlicing;
      if (slices < 1 || slices > 64) {
        throw invalid(
            "--time-slicing " + slices + " is out of range",
            "give the pods per GPU, from 1 (no sharing) to 64");
      }
    }
    boolean operator = in.gpuOperator || fromInventory.operator();
    if (operator && slices > 1) {
      throw invalid(
          "--time-slicing is set by the GPU Operator's ClusterPolicy when --gpu-operator is used",
          "drop --time-slicing");
    }
    return new Nvidia(fromInventory.installDriver(), slices, operator);
  }

  static KfbootException invalid(String message, String fix) {
    return new KfbootException(message, fix, ExitCategory.INVALID_INPUT);
  }
}
