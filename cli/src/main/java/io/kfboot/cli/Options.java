package io.kfboot.cli;

import io.kfboot.bootstrap.inventory.Inventory.Nfs;
import io.kfboot.components.auth.AuthConfig;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.VerifySuite;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The option groups commands share, each filling its part of the {@link SettingsInput}. Options
 * with a {@code descriptionKey} take their environment variable when not given (see {@link
 * EnvironmentDefaults}); defaults live in {@link PlatformSettings}, not here.
 */
final class Options {
  private Options() {}

  /** Which release, from where, rendered how. */
  static final class Release {
    @Option(
        names = "--manifests",
        paramLabel = "TAG|TARBALL|DIR",
        descriptionKey = "MANIFESTS",
        description =
            "kubeflow/manifests release: a tag to download (e.g. v1.10.2), a local .tar.gz, or a"
                + " directory. Env KFBOOT_MANIFESTS; default: the newest supported release.")
    String manifests;

    @Option(names = "--sha256", paramLabel = "HEX", description = "Expected sha256 of the tarball.")
    String sha256;

    @Option(
        names = "--release",
        paramLabel = "TAG",
        description =
            "Which release a directory holds, when it is no git checkout; checked against a"
                + " tarball's commit.")
    String release;

    @Option(
        names = "--catalog",
        paramLabel = "FILE",
        description = "An extra catalog data file, for a release kfboot does not ship.")
    Path catalog;

    // no descriptionKey: kustomize's own lookup reads KFBOOT_KUSTOMIZE and names it in its errors
    @Option(
        names = "--kustomize",
        paramLabel = "PATH",
        description =
            "kustomize or kubectl binary. Env KFBOOT_KUSTOMIZE; default: kustomize, then kubectl,"
                + " on PATH.")
    Path kustomize;

    @Option(
        names = "--allow-remote-bases",
        description = "Let kustomize fetch remote bases from the network instead of refusing them.")
    boolean allowRemoteBases;

    @Option(
        names = "--render-timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Timeout of one kustomize render (default: 180s).")
    Duration renderTimeout;

    @Option(
        names = {"-q", "--quiet"},
        description = "No progress on stderr.")
    boolean quiet;

    void into(SettingsInput in) {
      in.manifests = manifests;
      in.sha256 = sha256;
      in.release = release;
      in.catalog = catalog;
      in.kustomize = kustomize;
      in.allowRemoteBases = allowRemoteBases;
      in.renderTimeout = renderTimeout;
      in.quiet = quiet;
    }
  }

  /** Which components, and how they are adapted to k3s. */
  static final class Selection {
    @Option(
        names = "--components",
        split = ",",
        paramLabel = "ID",
        description =
            "Components to install, with their dependencies (default: the release's defaults).")
    List<String> components = new ArrayList<>();

    @Option(
        names = "--without",
        split = ",",
        paramLabel = "ID",
        description = "Components to leave out.")
    List<String> without = new ArrayList<>();

    @Option(
        names = "--gateway-service-type",
        paramLabel = "TYPE",
        description =
            "ClusterIP (upstream), NodePort or LoadBalancer for istio-ingressgateway; overrides"
                + " the inventory's gateway.expose.")
    String gatewayServiceType;

    @Option(
        names = "--allow-insecure-http",
        description =
            "Serve an exposed gateway over plain HTTP with the web apps' Secure cookies off"
                + " (the inventory's gateway.allowInsecureHttp); trusted networks only.")
    boolean allowInsecureHttp;

    @Option(
        names = "--gpu",
        description =
            "Add the NVIDIA device plugin and the nvidia RuntimeClass (for clusters with GPU"
                + " nodes).")
    boolean gpu;

    @Option(
        names = "--no-k3s-adaptations",
        description = "Render upstream objects exactly, without kfboot's k3s patches.")
    boolean noK3sAdaptations;

    void into(SettingsInput in) {
      in.components.addAll(components);
      in.without.addAll(without);
      in.gatewayServiceType = gatewayServiceType;
      in.allowInsecureHttp = allowInsecureHttp;
      in.gpu = gpu;
      in.noK3sAdaptations = noK3sAdaptations;
    }
  }

  /** Storage and GPU settings, else the inventory's storage: and nvidia: sections. */
  static final class Platform {
    @Option(
        names = {"-i", "--inventory"},
        paramLabel = "FILE",
        descriptionKey = "INVENTORY",
        description =
            "Read storage and GPU settings (storage:, nvidia:, gpu hosts) from this inventory. Env"
                + " KFBOOT_INVENTORY.")
    Path inventory;

    @Option(
        names = "--storage",
        paramLabel = "MODE",
        descriptionKey = "STORAGE",
        description =
            "The default StorageClass: local-path, nfs, nfs-static (inventory only) or existing."
                + " Env KFBOOT_STORAGE; default: the inventory's, else local-path.")
    String storage;

    @Option(
        names = "--nfs-server",
        paramLabel = "ADDRESS",
        descriptionKey = "NFS_SERVER",
        description = "NFS server for --storage nfs. Env KFBOOT_NFS_SERVER.")
    String nfsServer;

    @Option(
        names = "--nfs-path",
        paramLabel = "PATH",
        descriptionKey = "NFS_PATH",
        description =
            "Exported directory for --storage nfs. Env KFBOOT_NFS_PATH; default: "
                + Nfs.DEFAULT_PATH
                + ".")
    String nfsPath;

    @Option(
        names = "--time-slicing",
        paramLabel = "N",
        descriptionKey = "TIME_SLICING",
        description =
            "Pods per GPU (NVIDIA time-slicing), 1 to 64. Env KFBOOT_GPU_TIME_SLICING; default: the"
                + " inventory's, else 1.")
    Integer timeSlicing;

    @Option(
        names = "--gpu-operator",
        description =
            "GPUs come from the NVIDIA GPU Operator: check them, install no device plugin.")
    boolean gpuOperator;

    void into(SettingsInput in) {
      in.inventory = inventory;
      in.storage = storage;
      in.nfsServer = nfsServer;
      in.nfsPath = nfsPath;
      in.timeSlicing = timeSlicing;
      in.gpuOperator = gpuOperator;
    }
  }

  /** Which cluster: the kubeconfig the way kubectl finds it, and a context. */
  static final class Cluster {
    @Option(
        names = "--kubeconfig",
        paramLabel = "FILE",
        description = "Kubeconfig file. Env KUBECONFIG (first file); default: ~/.kube/config.")
    Path kubeconfig;

    @Option(
        names = "--context",
        paramLabel = "NAME",
        description = "Kubeconfig context (default: its current context).")
    String context;

    void into(SettingsInput in) {
      in.kubeconfig = kubeconfig;
      in.context = context;
    }
  }

  /** Waits and parallelism of the install engine. */
  static final class Install {
    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "How long one readiness gate may take, e.g. 600s or 10m (default: 10m).")
    Duration timeout;

    @Option(
        names = "--parallelism",
        paramLabel = "N",
        description = "Components installed at once; most of their time is waiting (default: 16).")
    Integer parallelism;

    @Option(
        names = "--no-watch",
        description = "Poll instead of watching the cluster (for proxies that break watches).")
    boolean noWatch;

    @Option(
        names = "--poll-interval",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description =
            "Longest pause between two looks at a pending gate; watches wake it sooner (default:"
                + " 2s).")
    Duration poll;

    void into(SettingsInput in) {
      in.timeout = timeout;
      in.parallelism = parallelism;
      in.noWatch = noWatch;
      in.pollInterval = poll;
    }
  }

  /** How hosts are reached (for commands that work on hosts one at a time, or on none). */
  static final class HostAccess {
    @Option(
        names = {"-i", "--inventory"},
        paramLabel = "FILE",
        descriptionKey = "INVENTORY",
        description = "The inventory (see docs/inventory.md). Env KFBOOT_INVENTORY.")
    Path inventory;

    @Option(
        names = "--known-hosts",
        paramLabel = "FILE",
        descriptionKey = "KNOWN_HOSTS",
        description =
            "Host keys are checked against this. Env KFBOOT_KNOWN_HOSTS; default:"
                + " ~/.ssh/known_hosts.")
    Path knownHosts;

    @Option(
        names = "--accept-new-host-keys",
        description =
            "Record the keys of hosts not yet in known_hosts instead of refusing them (a changed"
                + " key is always refused).")
    boolean acceptNewHostKeys;

    @Option(
        names = "--local",
        description = "Run on this machine instead of over SSH (an inventory of one host).")
    boolean local;

    @Option(
        names = "--print-commands",
        description = "Print every command before it runs, secrets redacted.")
    boolean printCommands;

    @Option(
        names = "--command-timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Longest one command on a host may run (default: 10m).")
    Duration commandTimeout;

    void into(SettingsInput in) {
      in.inventory = inventory;
      in.knownHosts = knownHosts;
      in.acceptNewHostKeys = acceptNewHostKeys;
      in.local = local;
      in.printCommands = printCommands;
      in.commandTimeout = commandTimeout;
    }
  }

  /** How hosts are reached, and how many at once. */
  static final class Hosts {
    @Mixin HostAccess access = new HostAccess();

    @Option(
        names = "--parallelism",
        paramLabel = "N",
        description = "Hosts worked on at once (default: 8).")
    Integer parallelism;

    void into(SettingsInput in) {
      access.into(in);
      in.hostParallelism = parallelism;
    }
  }

  /** text for people, json for programs. */
  static final class Output {
    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "text or json (default: ${DEFAULT-VALUE}).",
        defaultValue = "text")
    OutputFormat output = OutputFormat.text;

    boolean json() {
      return output == OutputFormat.json;
    }
  }

  /** Where Dex's identity settings come from: the inventory's auth:, and the issuer. */
  static final class Identity {
    @Option(
        names = {"-i", "--inventory"},
        paramLabel = "FILE",
        descriptionKey = "INVENTORY",
        description = "The inventory whose auth: section to use. Env KFBOOT_INVENTORY.")
    Path inventory;

    @Mixin Issuer issuer = new Issuer();

    void into(SettingsInput in) {
      in.inventory = inventory;
      issuer.into(in);
    }
  }

  /** The inventory alone, for commands that read its gateway: and profiles: (access, verify). */
  static final class AccessInventory {
    @Option(
        names = {"-i", "--inventory"},
        paramLabel = "FILE",
        descriptionKey = "INVENTORY",
        description =
            "The inventory whose gateway: and profiles: sections to use. Env KFBOOT_INVENTORY.")
    Path inventory;

    void into(SettingsInput in) {
      in.inventory = inventory;
    }
  }

  /** The issuer alone, for commands that take the inventory through another option group. */
  static final class Issuer {
    @Option(
        names = "--issuer",
        paramLabel = "URL",
        descriptionKey = "ISSUER",
        description =
            "Dex's issuer, the URL browsers reach Dex at (https://HOST/dex); written alike to Dex,"
                + " oauth2-proxy and the gateway. Env KFBOOT_DEX_ISSUER; default: auth.issuer of"
                + " the inventory, else the in-cluster "
                + AuthConfig.IN_CLUSTER_ISSUER
                + ".")
    String issuer;

    void into(SettingsInput in) {
      in.issuer = issuer;
    }
  }

  /** The Dex user kfboot creates and where its credentials are kept. */
  static final class Admin {
    @Option(
        names = "--admin-email",
        paramLabel = "EMAIL",
        descriptionKey = "ADMIN_EMAIL",
        description =
            "The Dex user kfboot creates. Env KFBOOT_ADMIN_EMAIL; default: "
                + PlatformSettings.DEFAULT_ADMIN_EMAIL
                + ".")
    String adminEmail;

    @Option(
        names = "--no-auth-check",
        description =
            "Skip the check of the identity providers (kfboot auth check) before anything is"
                + " applied: for providers only the cluster reaches.")
    boolean noAuthCheck;

    @Option(
        names = "--no-store-check",
        description =
            "Skip the check of the external stores (kfboot stores check) before anything is"
                + " applied: for stores only the cluster reaches.")
    boolean noStoreCheck;

    void into(SettingsInput in) {
      in.adminEmail = adminEmail;
      in.noAuthCheck = noAuthCheck;
      in.noStoreCheck = noStoreCheck;
    }
  }

  /** How verify reaches Kubeflow. */
  static final class Gateway {
    @Option(
        names = "--gateway-url",
        paramLabel = "URL",
        descriptionKey = "GATEWAY_URL",
        description =
            "Kubeflow's address for the login check, e.g. http://10.0.0.11:31380. Env"
                + " KFBOOT_GATEWAY_URL; default: a port-forward to svc/istio-ingressgateway.")
    String gatewayUrl;

    @Option(
        names = "--gateway-ca",
        paramLabel = "FILE",
        description =
            "PEM CA certificate the gateway's HTTPS certificate is checked against (default: the"
                + " one 'kfboot access' exports from the cluster, else the JDK's CAs).")
    Path gatewayCa;

    void into(SettingsInput in) {
      in.gatewayUrl = gatewayUrl;
      in.gatewayCa = gatewayCa;
    }
  }

  /** Where the generated password and secrets are kept. */
  static final class Credentials {
    @Option(
        names = "--credentials",
        paramLabel = "FILE",
        descriptionKey = "CREDENTIALS",
        description =
            "Where the generated password and secrets are kept (0600) and reused. Env"
                + " KFBOOT_CREDENTIALS; default:"
                + " $XDG_CONFIG_HOME/kfboot/credentials/<context>.properties.")
    Path credentials;

    void into(SettingsInput in) {
      in.credentials = credentials;
    }
  }

  /** Which verify checks, where they run, how long they may take. */
  static final class Verify {
    @Option(
        names = "--only",
        split = ",",
        paramLabel = "ID",
        description = "Run these checks (and what they build on); --list names them.")
    List<String> only = new ArrayList<>();

    @Option(
        names = "--skip",
        split = ",",
        paramLabel = "ID",
        description = "Leave these checks out (e.g. inference-service).")
    List<String> skip = new ArrayList<>();

    @Option(
        names = "--namespace",
        paramLabel = "NS",
        description = "The profile namespace the runs go in (default: kubeflow-user-example-com).")
    String namespace;

    @Option(
        names = "--report-junit",
        paramLabel = "FILE",
        description = "Also write the results as JUnit XML, for CI.")
    Path junit;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "The longest one check may wait (default: 5m).")
    Duration timeout;

    @Option(
        names = "--poll-interval",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Pause between two looks at a pending check (default: 2s).")
    Duration poll;

    @Option(
        names = "--time-slicing",
        paramLabel = "N",
        description = "Pods per GPU the device plugin was installed with (default: 1).")
    int timeSlicing = 1;

    VerifySuite.Options options() {
      VerifySuite.Options d = VerifySuite.Options.defaults();
      return new VerifySuite.Options(
          only,
          skip,
          namespace == null ? d.namespace() : namespace,
          timeout == null ? d.timeout() : timeout,
          poll == null ? d.poll() : poll,
          timeSlicing,
          junit);
    }
  }
}
