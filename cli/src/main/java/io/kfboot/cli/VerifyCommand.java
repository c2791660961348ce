package io.kfboot.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.plan.ClusterChecks;
import io.kfboot.gpu.CudaSmokeTest;
import io.kfboot.gpu.GpuChecks;
import io.kfboot.storage.DefaultClassCheck;
import io.kfboot.storage.ProbeVolumeCheck;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.check.CheckResult;
import io.kfboot.verify.check.HealthChecks;
import io.kfboot.verify.check.PlatformRuns;
import io.kfboot.verify.check.ResourceRunCheck;
import io.kfboot.verify.check.Reports;
import io.kfboot.verify.check.VerifyCheck;
import io.kfboot.verify.check.VerifyRunner;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.http.DexLogin;
import io.kfboot.verify.http.InferencePredict;
import io.kfboot.verify.http.NotebookProbe;
import io.kfboot.verify.http.PipelineRun;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot verify}: checks of an installed platform, in dependency order, reported for people and CI. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = "Check an installed platform in dependency order: nodes Ready, CRDs Established, webhooks with endpoints, every pod"
        + " of the installed components' namespaces healthy, exactly one default StorageClass and a probe claim that binds, and on"
        + " clusters with GPU nodes the GPU checks. Exit 0 when every check passed, 3 when one failed.")
final class VerifyCommand implements Callable<Integer> {
  static final String SUITE = "kfboot-verify";
  static final String ENV_GATEWAY = "KFBOOT_GATEWAY_URL";
  private final Main.Context context;

  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Option(names = "--only", split = ",", paramLabel = "ID", description = "Run these checks (and what they build on); 'kfboot verify --list' names them.")
  List<String> only = new ArrayList<>();

  @Option(names = "--skip", split = ",", paramLabel = "ID", description = "Leave these checks out (e.g. inference-service where the model store is unreachable).")
  List<String> skip = new ArrayList<>();

  @Option(names = "--namespace", paramLabel = "NS", description = "The profile namespace the job, experiment, notebook and inference checks run in (default: ${DEFAULT-VALUE}).")
  String namespace = PlatformRuns.DEFAULT_NAMESPACE;

  @Option(names = "--list", description = "List the checks and exit.")
  boolean list;

  @Option(names = "--report-junit", paramLabel = "FILE", description = "Also write the results as JUnit XML, for CI.")
  Path junit;

  @Option(names = "--timeout", paramLabel = "DURATION", description = "The longest one check may wait (default: ${DEFAULT-VALUE}).")
  String timeout = "5m";

  @Option(names = "--poll-interval", paramLabel = "DURATION", description = "Pause between two looks at a pending check (default: ${DEFAULT-VALUE}).")
  String poll = "2s";

  @Option(names = "--time-slicing", paramLabel = "N", description = "Pods per GPU the device plugin was installed with (default: ${DEFAULT-VALUE}).")
  int timeSlicing = 1;

  @Option(names = "--gateway-url", paramLabel = "URL",
      description = "Kubeflow's address for the login check, e.g. http://10.0.0.11:31380. Env " + ENV_GATEWAY + "; default: a port-forward to"
          + " svc/istio-ingressgateway in istio-system.")
  String gatewayUrl;

  @Option(names = "--credentials", paramLabel = "FILE", description = "The credentials 'kfboot install' wrote (default: as install finds them).")
  Path credentials;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).")
  OutputFormat output = OutputFormat.text;

  private Duration pollInterval = Duration.ofSeconds(2);

  VerifyCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Duration cap = InstallCommand.InstallTuning.parseDuration("--timeout", timeout);
    pollInterval = InstallCommand.InstallTuning.parseDuration("--poll-interval", poll);
    if (timeSlicing < 1 || timeSlicing > 64) {
      throw new CliException("--time-slicing " + timeSlicing + " is out of range", "give the pods per GPU, from 1 to 64");
    }
    cluster.requireKubeconfig(context.env());
    try (KubernetesClient client = cluster.connect(context.env())) {
      List<VerifyCheck> all = checks(client);
      for (String id : skip) {
        if (all.stream().noneMatch(c -> c.id().equals(id))) {
          throw new CliException("--skip " + id + ": no such check", "pick check ids from 'kfboot verify --list'");
        }
      }
      List<VerifyCheck> checks = all.stream().filter(c -> !skip.contains(c.id())).toList();
      if (list) {
        checks.forEach(c -> context.out().println(c.id() + "  " + c.description()));
        context.out().flush();
        return ExitCodes.OK;
      }
      List<CheckResult> results;
      try {
        results = new VerifyRunner(client, new ClusterDiagnostics(client), pollInterval, cap,
            line -> context.err().println("[verify] " + line)).run(checks, new LinkedHashSet<>(only));
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage(), "pick check ids from 'kfboot verify --list'");
      }
      if (junit != null) {
        try {
          Files.writeString(junit, Reports.junit(results, SUITE));
        } catch (IOException e) {
          throw new CliException("cannot write " + junit + ": " + e.getMessage(), "give --report-junit a writable path");
        }
      }
      context.out().print(output == OutputFormat.json ? PlanReport.json(Reports.json(results)) + "\n" : Reports.text(results));
      context.out().flush();
      return results.stream().anyMatch(CheckResult::failed) ? ExitCodes.UNEXPECTED_STATE : ExitCodes.OK;
    }
  }

  /** The checks for what this cluster holds: its install record says which components, so which namespaces. */
  List<VerifyCheck> checks(KubernetesClient client) {
    Optional<InstallState> state = InstallState.read(client);
    Set<String> namespaces = new TreeSet<>();
    state.ifPresent(s -> Catalogs.shipped().catalog(s.release()).map(ReleaseCatalog::byId).ifPresent(byId -> {
      for (String id : s.done()) {
        ComponentSpec spec = byId.get(id);
        if (spec != null) {
          namespaces.addAll(spec.namespaces());
        }
      }
    }));
    if (namespaces.isEmpty()) {
      // no install record (installed otherwise): Kubeflow's own namespaces, where they exist
      for (String ns : List.of("kubeflow", "istio-system", "cert-manager", "auth", "oauth2-proxy", "knative-serving")) {
        if (client.namespaces().withName(ns).get() != null) {
          namespaces.add(ns);
        }
      }
    }
    List<VerifyCheck> checks = new ArrayList<>(HealthChecks.all(List.copyOf(namespaces)));
    checks.add(ClusterChecks.asVerifyCheck("default-storage-class", new DefaultClassCheck(null), List.of("nodes-ready")));
    checks.add(ClusterChecks.asVerifyCheck("storage-probe", new ProbeVolumeCheck(null), List.of("default-storage-class")));
    boolean loginPossible = state.isPresent() || gatewayUrl != null || context.env().get(ENV_GATEWAY) != null;
    if (loginPossible) {
      checks.add(dexLogin(client));
      if (ResourceRunCheck.served(client, "scheduledworkflows", "kubeflow.org")) {
        checks.add(pipelineRun());
      }
    }
    checks.addAll(PlatformRuns.offered(client, namespace, (c, isvc) -> withGateway(c, gateway -> {
      // a service-account token, as upstream's test takes one
      return InferencePredict.predict(gateway, namespace, isvc.getMetadata().getName(), serviceAccountToken(c), Duration.ofSeconds(60));
    }), loginPossible ? (c, notebook) -> withSession(c, session -> NotebookProbe.get(session, namespace, notebook.getMetadata().getName())) : null));
    if (!client.nodes().withLabel(GpuChecks.PRESENT, "true").list().getItems().isEmpty()) {
      checks.add(ClusterChecks.asVerifyCheck("gpus-allocatable", GpuChecks.allocatable(timeSlicing), List.of("nodes-ready")));
      checks.add(VerifyCheck.of("gpu-cuda-smoke", "a CUDA vectorAdd pod on one GPU, without runtimeClassName, prints Test PASSED",
          List.of("gpus-allocatable"), Duration.ofMinutes(5), (c, waiter, t) -> "passed on " + new CudaSmokeTest(c, waiter).run(null, t).node()));
    }
    return checks;
  }

  /** The login through the gateway as the admin user kfboot created, ending at the dashboard's API. */
  private VerifyCheck dexLogin(KubernetesClient client) {
    return gatewayCheck("dex-login", "the admin user logs in through the gateway (oauth2-proxy, Dex) and the dashboard's API knows them",
        List.of("pods-healthy", "webhooks-have-endpoints"), session -> "logged in as " + session.user());
  }

  /**
   * A one-step v2 pipeline run to SUCCEEDED and a recurring run, through the Pipelines API as the
   * profile's service account, as upstream's CI runs tests/pipeline_v2_test.py.
   */
  private VerifyCheck pipelineRun() {
    return VerifyCheck.of("pipeline-run", "a v2 pipeline runs to SUCCEEDED and a recurring run is created and deleted (Pipelines API, as default-editor)",
        List.of("dex-login"), Duration.ofMinutes(12),
        (c, waiter, t) -> withGateway(c, gateway -> new PipelineRun(gateway, serviceAccountToken(c), pollInterval).run(namespace, t)));
  }

  /** A short-lived token of the profile's default-editor, as 'kubectl -n NS create token default-editor' makes. */
  private String serviceAccountToken(KubernetesClient c) {
    var status = c.serviceAccounts().inNamespace(namespace).withName("default-editor")
        .tokenRequest(new io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder().withNewSpec().withExpirationSeconds(600L).endSpec().build())
        .getStatus();
    if (status == null || status.getToken() == null) {
      throw new VerifyException("no token for " + namespace + "/default-editor", "check that the profile " + namespace + " exists and its service accounts", "");
    }
    return status.getToken();
  }

  private VerifyCheck gatewayCheck(String id, String description, List<String> after, java.util.function.Function<DexLogin.Session, String> work) {
    return VerifyCheck.of(id, description, after, Duration.ofMinutes(12), (c, waiter, t) -> withSession(c, work));
  }

  /** Logged in through the gateway as the admin user kfboot created. */
  private String withSession(KubernetesClient c, java.util.function.Function<DexLogin.Session, String> work) {
    Path file = InstallCommand.credentialsFile(credentials, context.env(), cluster.clusterName(c));
    Credentials creds = Credentials.load(file).orElseThrow(() -> new VerifyException("no credentials file " + file,
        "pass --credentials with the file 'kfboot install' wrote (it printed its path)", ""));
    return withGateway(c, gateway -> work.apply(new DexLogin(gateway, Duration.ofSeconds(30)).login(creds.adminEmail(), creds.adminPassword())));
  }

  /** Work through the gateway: --gateway-url, else a port-forward to svc/istio-ingressgateway held for the work. */
  private String withGateway(KubernetesClient c, java.util.function.Function<URI, String> work) {
    String url = Optional.ofNullable(gatewayUrl).or(() -> Optional.ofNullable(context.env().get(ENV_GATEWAY)).filter(s -> !s.isBlank())).orElse(null);
    if (url != null) {
      return work.apply(URI.create(url));
    }
    // as the seeds did: kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80
    try (LocalPortForward forward = c.services().inNamespace("istio-system").withName("istio-ingressgateway").portForward(80)) {
      return work.apply(URI.create("http://127.0.0.1:" + forward.getLocalPort())) + " (port-forward)";
    } catch (IOException e) {
      throw new VerifyException("cannot port-forward to svc/istio-ingressgateway: " + e.getMessage(), "pass --gateway-url", "");
    }
  }
}
