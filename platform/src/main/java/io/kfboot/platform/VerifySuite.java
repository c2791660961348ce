package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.components.gateway.GatewayConfig;
import io.kfboot.components.gateway.GatewayPatch;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.plan.ClusterChecks;
import io.kfboot.components.profiles.ProfileObjects;
import io.kfboot.components.profiles.ProfileSpec;
import io.kfboot.components.stores.StoresConfig.ObjectStore;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.gpu.CudaSmokeTest;
import io.kfboot.gpu.GpuChecks;
import io.kfboot.storage.DefaultClassCheck;
import io.kfboot.storage.ProbeVolumeCheck;
import io.kfboot.storage.stores.ObjectStoreCheck;
import io.kfboot.storage.stores.RunArtifacts;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.check.CheckResult;
import io.kfboot.verify.check.HealthChecks;
import io.kfboot.verify.check.PlatformRuns;
import io.kfboot.verify.check.Reports;
import io.kfboot.verify.check.ResourceRunCheck;
import io.kfboot.verify.check.VerifyCheck;
import io.kfboot.verify.check.VerifyRunner;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.http.DexLogin;
import io.kfboot.verify.http.GatewayEndpoint;
import io.kfboot.verify.http.InferencePredict;
import io.kfboot.verify.http.NotebookProbe;
import io.kfboot.verify.http.PipelineRun;
import io.kfboot.verify.http.ProfileAccess;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The checks of an installed platform, in dependency order: which exist for what the cluster holds,
 * their timeouts, the tokens and logins they use, and how they reach the gateway (a given address
 * or a port-forward). {@code kfboot verify}, {@code up}, {@code ci} and the Pulumi stack's verify
 * step all run this one suite.
 */
public final class VerifySuite {
  /** The JUnit suite name. */
  public static final String SUITE = "kfboot-verify";

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  /**
   * The checks that log in through the gateway and run work there may take longer than one wait.
   */
  static final Duration GATEWAY_CHECK_TIMEOUT = Duration.ofMinutes(12);

  /**
   * @param only run these checks and what they build on (empty: all)
   * @param skip leave these out
   * @param namespace the profile namespace the job, experiment, notebook and inference checks run
   *     in
   * @param timeout the longest one check may wait
   * @param timeSlicing pods per GPU the device plugin was installed with
   * @param junit where to write JUnit XML, or null
   */
  public record Options(
      List<String> only,
      List<String> skip,
      String namespace,
      Duration timeout,
      Duration poll,
      int timeSlicing,
      Path junit) {
    public static Options defaults() {
      return new Options(
          List.of(),
          List.of(),
          PlatformRuns.DEFAULT_NAMESPACE,
          DEFAULT_TIMEOUT,
          PlatformSettings.DEFAULT_POLL,
          1,
          null);
    }

    public Options {
      if (timeSlicing < 1 || timeSlicing > 64) {
        throw new KfbootException(
            "--time-slicing " + timeSlicing + " is out of range",
            "give the pods per GPU, from 1 to 64",
            ExitCategory.INVALID_INPUT);
      }
      only = List.copyOf(only);
      skip = List.copyOf(skip);
    }
  }

  private final PlatformSettings settings;
  private final Options options;
  private final PlatformListener listener;
  private Path exportedCa;

  public VerifySuite(PlatformSettings settings, Options options, PlatformListener listener) {
    this.settings = settings;
    this.options = options;
    this.listener = listener;
  }

  /** The checks this cluster gets, after --skip. */
  public List<VerifyCheck> list() {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      return selected(client);
    }
  }

  /**
   * Runs the checks; writes JUnit XML where asked. A failed check is a result, not an exception.
   */
  public List<CheckResult> run() {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      List<VerifyCheck> checks = selected(client);
      List<CheckResult> results;
      try {
        results =
            new VerifyRunner(
                    client,
                    new ClusterDiagnostics(client),
                    options.poll(),
                    options.timeout(),
                    listener::verifyLine)
                .run(checks, new LinkedHashSet<>(options.only()));
      } catch (IllegalArgumentException e) {
        throw new KfbootException(
            e.getMessage(),
            "pick check ids from 'kfboot verify --list'",
            ExitCategory.INVALID_INPUT);
      }
      if (options.junit() != null) {
        try {
          Files.writeString(options.junit(), Reports.junit(results, SUITE));
        } catch (IOException e) {
          throw new KfbootException(
              "cannot write " + options.junit() + ": " + e.getMessage(),
              "give --report-junit a writable path",
              ExitCategory.INVALID_INPUT);
        }
      }
      return results;
    }
  }

  public static boolean passed(List<CheckResult> results) {
    return results.stream().noneMatch(CheckResult::failed);
  }

  private List<VerifyCheck> selected(KubernetesClient client) {
    List<VerifyCheck> all = checks(client);
    for (String id : options.skip()) {
      if (all.stream().noneMatch(c -> c.id().equals(id))) {
        throw new KfbootException(
            "--skip " + id + ": no such check",
            "pick check ids from 'kfboot verify --list'",
            ExitCategory.INVALID_INPUT);
      }
    }
    return all.stream().filter(c -> !options.skip().contains(c.id())).toList();
  }

  /**
   * The checks for what this cluster holds: its install record says which components, so which
   * namespaces.
   */
  List<VerifyCheck> checks(KubernetesClient client) {
    Optional<InstallState> state = InstallState.read(client);
    Set<String> namespaces = new TreeSet<>();
    state.ifPresent(
        s ->
            Catalogs.shipped()
                .catalog(s.release())
                .map(ReleaseCatalog::byId)
                .ifPresent(
                    byId -> {
                      for (String id : s.done()) {
                        ComponentSpec spec = byId.get(id);
                        if (spec != null) {
                          namespaces.addAll(spec.namespaces());
                        }
                      }
                    }));
    if (namespaces.isEmpty()) {
      // no install record (installed otherwise): Kubeflow's own namespaces, where they exist
      for (String ns :
          List.of(
              "kubeflow",
              "istio-system",
              "cert-manager",
              "auth",
              "oauth2-proxy",
              "knative-serving")) {
        if (client.namespaces().withName(ns).get() != null) {
          namespaces.add(ns);
        }
      }
    }
    List<VerifyCheck> checks = new ArrayList<>(HealthChecks.all(List.copyOf(namespaces)));
    checks.add(
        ClusterChecks.asVerifyCheck(
            "default-storage-class", new DefaultClassCheck(null), List.of("nodes-ready")));
    checks.add(
        ClusterChecks.asVerifyCheck(
            "storage-probe", new ProbeVolumeCheck(null), List.of("default-storage-class")));
    boolean loginPossible = state.isPresent() || settings.gatewayUrl() != null;
    List<ProfileSpec> profiles = settings.access().profiles();
    String ns = options.namespace();
    GatewayConfig exposed = settings.access().gateway();
    List<String> loginAfter = new ArrayList<>(List.of("pods-healthy", "webhooks-have-endpoints"));
    if (exposed.https()) {
      checks.add(
          VerifyCheck.of(
              "gateway-certificate",
              "the gateway's certificate for "
                  + exposed.host()
                  + " is issued (cert-manager's Certificate Ready) and its Secret in istio-system"
                  + " holds it",
              List.of("pods-healthy"),
              options.timeout(),
              (c, waiter, t) -> waiter.await(certificateIssued(c, exposed), t).detail()));
      loginAfter.add("gateway-certificate");
    }
    if (loginPossible) {
      checks.add(
          VerifyCheck.of(
              "dex-login",
              "the admin user, and each static user whose password kfboot made, logs in through"
                  + " the gateway (oauth2-proxy, Dex) and the dashboard's API knows them",
              List.copyOf(loginAfter),
              GATEWAY_CHECK_TIMEOUT,
              (c, waiter, t) -> logins(c)));
      if (!profiles.isEmpty()) {
        checks.add(
            VerifyCheck.of(
                "profile-access",
                "in each declared profile, a member whose password kfboot made may list its"
                    + " notebooks through the gateway, and a non-member is refused (403)",
                List.of("dex-login"),
                GATEWAY_CHECK_TIMEOUT,
                (c, waiter, t) -> profileAccess(c, profiles)));
      }
      if (ResourceRunCheck.served(client, "scheduledworkflows", "kubeflow.org")) {
        // as upstream's CI runs tests/pipeline_v2_test.py: the profile's service account through
        // the Pipelines API
        checks.add(
            VerifyCheck.of(
                "pipeline-run",
                "a v2 pipeline runs to SUCCEEDED and a recurring run is created and deleted"
                    + " (Pipelines API, as default-editor)"
                    + settings
                        .stores()
                        .pipelinesStore()
                        .map(store -> "; its artifact is in the external bucket " + store.bucket())
                        .orElse(""),
                List.of("dex-login"),
                GATEWAY_CHECK_TIMEOUT,
                (c, waiter, t) ->
                    withGateway(
                        c,
                        gateway ->
                            new PipelineRun(gateway, serviceAccountToken(c), options.poll())
                                .run(ns, t, artifactsInExternalStore(ns)))));
      }
    }
    checks.addAll(
        PlatformRuns.offered(
            client,
            ns,
            (c, isvc) ->
                withGateway(
                    c,
                    gateway ->
                        // a service-account token, as upstream's test takes one
                        InferencePredict.predict(
                            gateway,
                            ns,
                            isvc.getMetadata().getName(),
                            serviceAccountToken(c),
                            Duration.ofSeconds(60))),
            loginPossible
                ? (c, notebook) ->
                    withSession(
                        c,
                        session -> NotebookProbe.get(session, ns, notebook.getMetadata().getName()))
                : null));
    if (!client.nodes().withLabel(GpuChecks.PRESENT, "true").list().getItems().isEmpty()) {
      checks.add(
          ClusterChecks.asVerifyCheck(
              "gpus-allocatable",
              GpuChecks.allocatable(options.timeSlicing()),
              List.of("nodes-ready")));
      checks.add(
          VerifyCheck.of(
              "gpu-cuda-smoke",
              "a CUDA vectorAdd pod on one GPU, without runtimeClassName, prints Test PASSED",
              List.of("gpus-allocatable"),
              Duration.ofMinutes(5),
              (c, waiter, t) -> "passed on " + new CudaSmokeTest(c, waiter).run(null, t).node()));
    }
    return checks;
  }

  /**
   * A gateway that redirects HTTP to HTTPS (gateway.tls) cannot be used through a port-forward to
   * port 80: the redirect names the forward's own address, where no TLS is served.
   */
  static void requireNoHttpsRedirect(URI local) {
    try {
      HttpResponse<Void> r =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(30))
              .build()
              .send(
                  HttpRequest.newBuilder(local.resolve("/"))
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      String location = r.headers().firstValue("Location").orElse("");
      if (r.statusCode() / 100 == 3 && location.startsWith("https://")) {
        throw new VerifyException(
            "the gateway redirects HTTP to HTTPS ("
                + location
                + "), so a port-forward to its"
                + " port 80 cannot log in",
            "pass -i with the inventory whose gateway: names its host, or --gateway-url"
                + " https://HOST (and --gateway-ca FILE for the cluster's own CA)",
            "");
      }
    } catch (IOException e) {
      // the work itself reports an unreachable gateway, with its own fix
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The gateway's TLS Secret in place: for an existing Secret, that it holds a certificate; else
   * that cert-manager reports the Certificate Ready, and then the CA exported for clients.
   */

  /**
   * With an external object store: the run's artifact must be in its bucket, which proves the
   * launcher wrote to the store kfboot configured (not to an in-cluster store left behind).
   */
  private PipelineRun.AfterRun artifactsInExternalStore(String ns) {
    Optional<ObjectStore> external = settings.stores().pipelinesStore();
    if (external.isEmpty()) {
      return PipelineRun.AfterRun.NOTHING;
    }
    ObjectStore store = external.get();
    return runId -> {
      List<String> keys =
          RunArtifacts.keys(
              ObjectStoreCheck.s3(store, SecretValues.from(settings.env())), store.bucket(), runId);
      if (keys.isEmpty()) {
        throw new VerifyException(
            "the pipeline run "
                + runId
                + " SUCCEEDED, but bucket "
                + store.bucket()
                + " at "
                + store.endpoint()
                + " holds nothing of it",
            "the namespace's launcher still points elsewhere: look at ConfigMap kfp-launcher in "
                + ns
                + " (defaultPipelineRoot, providers); delete it and Secret"
                + " mlpipeline-minio-artifact there, and the profile controller makes them anew",
            "");
      }
      return keys.size()
          + " object(s) of the run in s3://"
          + store.bucket()
          + ", e.g. "
          + keys.get(0);
    };
  }

  private Condition certificateIssued(KubernetesClient c, GatewayConfig gateway) {
    String secretName = GatewayPatch.secretName(gateway);
    boolean existing = gateway.tls().mode() == GatewayConfig.TlsMode.EXISTING_SECRET;
    return Condition.of(
        existing
            ? "Secret istio-system/" + secretName + " holds tls.crt"
            : "Certificate istio-system/" + GatewayPatch.CERTIFICATE + " Ready",
        List.of(GatewayPatch.NAMESPACE, "cert-manager"),
        () -> {
          Secret secret =
              c.secrets().inNamespace(GatewayPatch.NAMESPACE).withName(secretName).get();
          boolean holds =
              secret != null && secret.getData() != null && secret.getData().containsKey("tls.crt");
          if (existing) {
            return holds
                ? ConditionResult.met("Secret istio-system/" + secretName + " holds tls.crt")
                : ConditionResult.pending(
                    "no Secret istio-system/"
                        + secretName
                        + " with tls.crt: create it (kubectl -n istio-system create secret tls "
                        + secretName
                        + " --cert=FILE --key=FILE)");
          }
          GenericKubernetesResource cert =
              c.genericKubernetesResources("cert-manager.io/v1", "Certificate")
                  .inNamespace(GatewayPatch.NAMESPACE)
                  .withName(GatewayPatch.CERTIFICATE)
                  .get();
          if (cert == null) {
            return ConditionResult.pending(
                "no Certificate istio-system/"
                    + GatewayPatch.CERTIFICATE
                    + ": rerun kfboot install with the inventory's gateway:");
          }
          Map<String, Object> ready = readyCondition(cert);
          if (!"True".equals(ready.get("status")) || !holds) {
            return ConditionResult.pending(
                "Certificate istio-system/"
                    + GatewayPatch.CERTIFICATE
                    + " not Ready"
                    + (ready.isEmpty()
                        ? ""
                        : ": " + ready.get("reason") + " " + ready.get("message"))
                    + "; see kubectl -n istio-system describe certificate "
                    + GatewayPatch.CERTIFICATE
                    + " and its CertificateRequest");
          }
          Optional<Path> ca = exportedCa(c);
          return ConditionResult.met(
              "issued for " + gateway.host() + ca.map(p -> "; its CA exported to " + p).orElse(""));
        });
  }

  /**
   * The gateway's CA exported from the cluster, once per suite: every check through an HTTPS
   * gateway trusts it. Not remembered while absent (cert-manager may issue during the run).
   */
  private Optional<Path> exportedCa(KubernetesClient c) {
    if (exportedCa == null) {
      exportedCa = GatewayCa.export(c, settings, ClusterConnection.clusterName(c)).orElse(null);
    }
    return Optional.ofNullable(exportedCa);
  }

  private static Map<String, Object> readyCondition(GenericKubernetesResource cert) {
    Object status = cert.getAdditionalProperties().get("status");
    if (status instanceof Map<?, ?> s && s.get("conditions") instanceof List<?> conditions) {
      for (Object o : conditions) {
        if (o instanceof Map<?, ?> m && "Ready".equals(m.get("type"))) {
          @SuppressWarnings("unchecked")
          Map<String, Object> ready = (Map<String, Object>) m;
          return ready;
        }
      }
    }
    return Map.of();
  }

  /**
   * A short-lived token of the profile's default-editor, as 'kubectl -n NS create token
   * default-editor' makes.
   */
  private String serviceAccountToken(KubernetesClient c) {
    String ns = options.namespace();
    var status =
        c.serviceAccounts()
            .inNamespace(ns)
            .withName("default-editor")
            .tokenRequest(
                new TokenRequestBuilder()
                    .withNewSpec()
                    .withExpirationSeconds(600L)
                    .endSpec()
                    .build())
            .getStatus();
    if (status == null || status.getToken() == null) {
      throw new VerifyException(
          "no token for " + ns + "/default-editor",
          "check that the profile " + ns + " exists and its service accounts",
          "");
    }
    return status.getToken();
  }

  /**
   * The admin's login, then each generated static user's (auth.users without a hash: kfboot knows
   * their passwords), each through the gateway with its own session.
   */
  private String logins(KubernetesClient c) {
    Credentials creds = credentials(c);
    return withGateway(
        c,
        gateway -> {
          // a DexLogin keeps its session's cookies: one each, as separate browsers
          StringBuilder done =
              new StringBuilder(
                  "logged in as "
                      + new DexLogin(gateway, Duration.ofSeconds(30))
                          .login(creds.adminEmail(), creds.adminPassword())
                          .user());
          for (Map.Entry<String, Credentials.UserPassword> u : creds.users().entrySet()) {
            try {
              done.append(", ")
                  .append(
                      new DexLogin(gateway, Duration.ofSeconds(30))
                          .login(u.getKey(), u.getValue().password())
                          .user());
            } catch (VerifyException e) {
              throw new VerifyException(
                  "static user " + u.getKey() + " cannot log in: " + e.getMessage(),
                  "rerun kfboot install so that Dex has the user's hash; the password is in the"
                      + " credentials file",
                  "");
            }
          }
          return done.toString();
        });
  }

  /**
   * For each declared profile, one member and one non-member among the users whose passwords kfboot
   * knows, each logged in through the gateway and asking for the profile's notebooks.
   */
  private String profileAccess(KubernetesClient c, List<ProfileSpec> profiles) {
    Credentials creds = credentials(c);
    Map<String, String> passwords = new LinkedHashMap<>();
    passwords.put(creds.adminEmail(), creds.adminPassword());
    creds.users().forEach((email, p) -> passwords.put(email, p.password()));
    Map<String, List<String>> groups = new Profiles(settings, listener).groups();
    return withGateway(
        c,
        gateway -> {
          Map<String, DexLogin.Session> sessions = new LinkedHashMap<>();
          Function<String, DexLogin.Session> session =
              email ->
                  sessions.computeIfAbsent(
                      email,
                      e ->
                          new DexLogin(gateway, Duration.ofSeconds(30)).login(e, passwords.get(e)));
          List<String> done = new ArrayList<>();
          for (ProfileSpec p : profiles) {
            Set<String> members = new TreeSet<>(ProfileObjects.members(p, groups).keySet());
            members.add(p.owner());
            Optional<String> member =
                passwords.keySet().stream().filter(members::contains).findFirst();
            Optional<String> outsider =
                passwords.keySet().stream().filter(e -> !members.contains(e)).findFirst();
            if (member.isPresent()
                && !ProfileAccess.allowed(session.apply(member.get()), p.name())) {
              throw new VerifyException(
                  member.get() + ", a member of profile " + p.name() + ", is refused its notebooks",
                  "run 'kfboot profiles apply' and check the RoleBindings in namespace " + p.name(),
                  "");
            }
            if (outsider.isPresent()
                && ProfileAccess.allowed(session.apply(outsider.get()), p.name())) {
              throw new VerifyException(
                  outsider.get()
                      + " is no member of profile "
                      + p.name()
                      + " but may list its notebooks",
                  "look for RoleBindings in namespace "
                      + p.name()
                      + " that kfboot did not make (kubectl -n "
                      + p.name()
                      + " get rolebindings)",
                  "");
            }
            done.add(
                p.name()
                    + ": "
                    + member.map(m -> m + " allowed").orElse("no member to ask")
                    + ", "
                    + outsider.map(o -> o + " refused").orElse("no non-member to ask"));
          }
          return String.join("; ", done);
        });
  }

  private Credentials credentials(KubernetesClient c) {
    CredentialsStore store =
        CredentialsStore.forCluster(settings, ClusterConnection.clusterName(c), listener::warning);
    return store
        .load()
        .orElseThrow(
            () ->
                new VerifyException(
                    "no credentials file " + store.file(),
                    "pass --credentials with the file 'kfboot install' wrote (it printed its"
                        + " path)",
                    ""));
  }

  /** Logged in through the gateway as the admin user kfboot created. */
  private String withSession(KubernetesClient c, Function<DexLogin.Session, String> work) {
    Credentials creds = credentials(c);
    return withGateway(
        c,
        gateway ->
            work.apply(
                new DexLogin(gateway, Duration.ofSeconds(30))
                    .login(creds.adminEmail(), creds.adminPassword())));
  }

  /**
   * Work through the gateway: the given URL, else the public address of the inventory's gateway:,
   * else a port-forward to svc/istio-ingressgateway held for the work. An HTTPS gateway's
   * certificate is checked against --gateway-ca, else the CA exported from the cluster, else the
   * JDK's CAs.
   */
  private String withGateway(KubernetesClient c, Function<GatewayEndpoint, String> work) {
    Optional<URI> url =
        Optional.ofNullable(settings.gatewayUrl())
            .map(URI::create)
            .or(() -> settings.access().gateway().publicBase());
    if (url.isPresent()) {
      Optional<Path> ca =
          "https".equals(url.get().getScheme())
              ? Optional.ofNullable(settings.gatewayCa()).or(() -> exportedCa(c))
              : Optional.empty();
      return work.apply(
          ca.map(f -> GatewayEndpoint.trusting(url.get(), f))
              .orElseGet(() -> GatewayEndpoint.of(url.get())));
    }
    // as the seeds did: kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80
    try (LocalPortForward forward =
        c.services().inNamespace(Gateway.NAMESPACE).withName(Gateway.SERVICE).portForward(80)) {
      URI local = URI.create("http://127.0.0.1:" + forward.getLocalPort());
      requireNoHttpsRedirect(local);
      return work.apply(GatewayEndpoint.of(local)) + " (port-forward)";
    } catch (IOException e) {
      throw new VerifyException(
          "cannot port-forward to svc/" + Gateway.SERVICE + ": " + e.getMessage(),
          "pass --gateway-url",
          "");
    }
  }
}
