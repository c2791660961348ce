package io.kfboot.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.auth.CredentialsPatch;
import io.kfboot.components.install.InstallReport;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.RetryPolicy;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.storage.StorageComponent;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot install}: the plan, applied to a cluster in dependency order with readiness gates. */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description = "Install the planned Kubeflow components on a cluster: dependency order, readiness gates,"
        + " generated credentials. Rerun it after a failure or a kill: it resumes, and on an installed"
        + " cluster it changes nothing.")
final class InstallCommand implements Callable<Integer> {
  static final String ENV_ADMIN_EMAIL = "KFBOOT_ADMIN_EMAIL";
  static final String ENV_CREDENTIALS = "KFBOOT_CREDENTIALS";
  static final String DEFAULT_ADMIN_EMAIL = "user@example.com";

  private final Main.Context context;

  @Mixin ReleaseOptions release = new ReleaseOptions();
  @Mixin SelectionOptions selection = new SelectionOptions();
  @Mixin ClusterOptions cluster = new ClusterOptions();
  @Mixin InstallTuning tuning = new InstallTuning();
  @Mixin PlatformOptions platformOptions = new PlatformOptions();

  @Option(names = "--admin-email", paramLabel = "EMAIL",
      description = "The Dex user kfboot creates. Env " + ENV_ADMIN_EMAIL + "; default: " + DEFAULT_ADMIN_EMAIL + ".")
  String adminEmail;

  @Option(names = "--credentials", paramLabel = "FILE",
      description = "Where the generated password and secrets are kept (0600) and reused. Env " + ENV_CREDENTIALS
          + "; default: $XDG_CONFIG_HOME/kfboot/credentials/<context>.properties.")
  Path credentials;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output = OutputFormat.text;

  @Option(names = "--verbose", description = "A progress line for every object.")
  boolean verbose;

  InstallCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    // Flags first: a bad value is reported before anything is downloaded, rendered or sent.
    Installer.Options options = tuning.options();
    String email = Optional.ofNullable(adminEmail).or(() -> env(ENV_ADMIN_EMAIL)).orElse(DEFAULT_ADMIN_EMAIL);
    Credentials.requireEmail(email);
    cluster.requireKubeconfig(context.env());
    PlatformOptions.Resolved platform = platformOptions.resolve(context.env());
    InstallPlan releasePlan = PlanCommand.makePlan(release, selection, platform, context);
    try (KubernetesClient client = cluster.connect(context.env())) {
      boolean bundled = platform.storage().mode() == Inventory.StorageMode.LOCAL_PATH && StorageComponent.hasBundledLocalPath(client);
      InstallPlan plan = PlanCommand.withStorage(releasePlan, platform, bundled);
      Path file = credentialsFile(credentials, context.env(), cluster.clusterName(client));
      Credentials.Loaded creds = Credentials.loadOrCreate(file, email, new SecureRandom());
      InstallPlan withCredentials = CredentialsPatch.apply(plan, creds.credentials());
      InstallProgress progress = new InstallProgress(context.err(), release.quiet, verbose);
      InstallReport report = new Installer(client, options, progress, new ClusterDiagnostics(client)).install(withCredentials);
      if (output == OutputFormat.json) {
        context.out().println(PlanReport.json(json(report, file, creds.credentials().adminEmail())));
      } else {
        context.out().print(text(report, file, creds));
      }
      context.out().flush();
      return ExitCodes.OK;
    }
  }

  private Optional<String> env(String name) {
    return Optional.ofNullable(context.env().get(name)).filter(s -> !s.isBlank());
  }

  /** Where the credentials of a cluster are kept: flag, then environment, then per context under XDG_CONFIG_HOME. */
  static Path credentialsFile(Path flag, java.util.Map<String, String> env, String clusterName) {
    java.util.function.Function<String, Optional<String>> var = n -> Optional.ofNullable(env.get(n)).filter(s -> !s.isBlank());
    Path configHome = var.apply("XDG_CONFIG_HOME").map(Path::of)
        .orElseGet(() -> Path.of(var.apply("HOME").orElse(System.getProperty("user.home")), ".config"));
    return Optional.ofNullable(flag).or(() -> var.apply(ENV_CREDENTIALS).map(Path::of))
        .orElseGet(() -> configHome.resolve("kfboot").resolve("credentials").resolve(clusterName + ".properties"));
  }

  static String text(InstallReport report, Path credentialsFile, Credentials.Loaded creds) {
    StringBuilder sb = new StringBuilder();
    sb.append("kubeflow/manifests ").append(report.release()).append(" installed in ")
        .append(String.format("%.1fs", report.elapsed().toMillis() / 1000.0)).append(": ")
        .append(report.changes() == 0 ? "nothing changed" : report.changes() + " objects created or configured").append('\n');
    for (InstallReport.ComponentResult c : report.components()) {
      sb.append(String.format("  %-26s %s%n", c.id(), c.changed() ? c.created() + " created, " + c.configured() + " configured" : "unchanged"));
    }
    sb.append("Dex login: ").append(creds.credentials().adminEmail()).append(", password in ").append(credentialsFile).append('\n');
    if (creds.created()) {
      // Shown once, when it is made; afterwards only the 0600 file holds it.
      sb.append("Generated password (shown this once): ").append(creds.credentials().adminPassword()).append('\n');
    }
    return sb.toString();
  }

  static Map<String, Object> json(InstallReport report, Path credentialsFile, String adminEmail) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schemaVersion", 1);
    root.put("release", report.release());
    root.put("commit", report.commit());
    root.put("seconds", report.elapsed().toMillis() / 1000.0);
    root.put("changes", report.changes());
    List<Map<String, Object>> components = report.components().stream().map(c -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", c.id());
      m.put("created", c.created());
      m.put("configured", c.configured());
      m.put("unchanged", c.unchanged());
      m.put("seconds", c.elapsed().toMillis() / 1000.0);
      return m;
    }).toList();
    root.put("components", components);
    root.put("adminEmail", adminEmail);
    root.put("credentialsFile", credentialsFile.toString());
    return root;
  }

  /** Waits and parallelism, shared by install and uninstall. */
  static final class InstallTuning {
    @Option(names = "--timeout", paramLabel = "DURATION", description = "How long one readiness gate may take, e.g. 600s or 10m (default: ${DEFAULT-VALUE}).")
    String timeout = "10m";

    @Option(names = "--parallelism", paramLabel = "N", description = "Components installed at once; most of their time is waiting (default: ${DEFAULT-VALUE}).")
    int parallelism = 16;

    @Option(names = "--no-watch", description = "Poll instead of watching the cluster (for proxies that break watches).")
    boolean noWatch;

    @Option(names = "--poll-interval", paramLabel = "DURATION", description = "Longest pause between two looks at a pending gate; watches wake it sooner (default: ${DEFAULT-VALUE}).")
    String poll = "2s";

    Installer.Options options() {
      if (parallelism < 1 || parallelism > 64) {
        throw new CliException("--parallelism " + parallelism + " is out of range", "use a number from 1 to 64");
      }
      return new Installer.Options(parallelism, parseDuration("--timeout", timeout), parseDuration("--poll-interval", poll), RetryPolicy.DEFAULT, !noWatch);
    }

    static Duration parseDuration(String flag, String s) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)?").matcher(s.trim());
      if (!m.matches()) {
        throw new CliException(flag + " " + s + " is no duration", "write it like 500ms, 90s, 10m or 1h");
      }
      long n = Long.parseLong(m.group(1));
      Duration d = switch (m.group(2) == null ? "s" : m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofSeconds(n);
      };
      if (d.isZero()) {
        throw new CliException(flag + " must be longer than 0", "write it like 500ms, 90s, 10m or 1h");
      }
      return d;
    }
  }
}
