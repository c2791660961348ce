package io.kfboot.verify.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.EndpointAddressBuilder;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionConditionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A Kubernetes API for tests and the benchmark: fabric8's mock server in CRUD mode, taught the
 * parts of a real API server and its controllers that an installer meets.
 *
 * <ul>
 *   <li>Server-side apply ({@code application/apply-patch+yaml}): create when missing, merge
 *       otherwise (maps merge, lists replace), and no new resourceVersion when nothing changes. It
 *       does not model managedFields or field ownership.
 *   <li>Admission: a custom resource whose CRD is not Established is refused with 404, as a real
 *       API server does before discovery has it; an object a webhook intercepts is refused with 500
 *       "failed calling webhook ... no endpoints available" while the webhook's Service has no
 *       ready endpoints (unless its failurePolicy is Ignore).
 *   <li>Controllers: after per-kind latencies, CRDs turn Established, Deployments Available,
 *       StatefulSets and DaemonSets ready, and Services whose selector matches a ready workload get
 *       ready Endpoints. A workload marked never-ready gets a Pending pod stuck in ImagePullBackOff
 *       and a Warning event instead.
 *   <li>Faults for the client under test (never for the simulated controllers): error statuses and
 *       dropped connections after the server has acted.
 * </ul>
 *
 * Every accepted write and every refusal is recorded, with the simulated readiness times, so that
 * tests can check order invariants.
 */
public final class SimulatedCluster implements AutoCloseable {
  static final String CONTROLLER_AGENT = "kfboot-simulated-controller";

  /**
   * The mock logs every request at INFO through java.util.logging: far too much for 600 objects.
   * Held so it is not collected.
   */
  private static final Logger FABRIC8_LOG = Logger.getLogger("io.fabric8");

  /** How long the simulated controllers take; {@code perWorkload} overrides by "ns/name". */
  public record Latencies(
      Duration crd,
      Duration deployment,
      Duration statefulSet,
      Duration daemonSet,
      Map<String, Duration> perWorkload) {
    public static Latencies fast() {
      return new Latencies(
          Duration.ofMillis(10),
          Duration.ofMillis(30),
          Duration.ofMillis(40),
          Duration.ofMillis(20),
          Map.of());
    }

    Duration of(String kind, String nsName) {
      Duration d = perWorkload.get(nsName);
      if (d != null) {
        return d;
      }
      return switch (kind) {
        case "CustomResourceDefinition" -> crd;
        case "Deployment" -> deployment;
        case "StatefulSet" -> statefulSet;
        default -> daemonSet;
      };
    }
  }

  /**
   * An accepted write by the client under test. {@code op} is CREATE, UPDATE, UNCHANGED or DELETE.
   */
  public record Write(
      long nanos, String op, String group, String plural, String namespace, String name) {
    public String ref() {
      return plural
          + (group.isEmpty() ? "" : "." + group)
          + " "
          + (namespace == null ? "" : namespace + "/")
          + name;
    }
  }

  /** A write the simulated API server refused, and why. */
  public record Refusal(
      long nanos, String reason, String group, String plural, String namespace, String name) {}

  private final KubernetesMockServer server;
  private final Sim dispatcher;
  private final ScheduledExecutorService controllers;
  private final KubernetesClient controllerClient;
  private final Latencies latencies;
  private final Faults faults = new Faults();
  private final List<Write> writes = new CopyOnWriteArrayList<>();
  private final List<Refusal> refusals = new CopyOnWriteArrayList<>();
  private final Set<String> establishedCrds = ConcurrentHashMap.newKeySet(); // plural.group
  private final Map<String, Long> readyAt = new ConcurrentHashMap<>(); // "Kind ns/name" -> nanos
  private final Set<String> readyServices = ConcurrentHashMap.newKeySet(); // ns/name
  private final Map<String, List<Map<String, String>>> readyWorkloadLabels =
      new ConcurrentHashMap<>();
  private final Map<String, List<WebhookRule>> webhooks =
      new ConcurrentHashMap<>(); // config name -> rules
  private final Set<String> neverReady = ConcurrentHashMap.newKeySet();
  private final PodsAndVolumes podsAndVolumes;

  private SimulatedCluster(Latencies latencies) {
    FABRIC8_LOG.setLevel(Level.WARNING);
    this.latencies = latencies;
    this.dispatcher = new Sim();
    this.server =
        new KubernetesMockServer(
            new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
    server.init();
    this.controllerClient =
        server.createClient(
            b ->
                b.editOrNewConfig()
                    .withUserAgent(CONTROLLER_AGENT)
                    .withRequestRetryBackoffLimit(0)
                    .endConfig());
    this.controllers =
        Executors.newScheduledThreadPool(
            8,
            r -> {
              Thread t = new Thread(r, "simulated-controller");
              t.setDaemon(true);
              return t;
            });
    this.podsAndVolumes = new PodsAndVolumes(controllerClient);
  }

  public static SimulatedCluster start(Latencies latencies) {
    return new SimulatedCluster(latencies);
  }

  /** A Ready node with these labels and allocatable resources (e.g. "nvidia.com/gpu" -> "2"). */
  public SimulatedCluster node(
      String name, Map<String, String> labels, Map<String, String> allocatable) {
    podsAndVolumes.addNode(name, labels, allocatable);
    return this;
  }

  /** What the pod ns/name prints; the pod Succeeds when it does not restart. */
  public SimulatedCluster podLog(String ns, String name, String log) {
    podsAndVolumes.log(ns, name, log);
    return this;
  }

  /** The pod ns/name runs and Fails, printing this. */
  public SimulatedCluster podFails(String ns, String name, String log) {
    podsAndVolumes.fail(ns, name, log);
    return this;
  }

  /** Claims of classes with this provisioner stay Pending, as when it is not running. */
  public SimulatedCluster provisionerDown(String provisioner) {
    podsAndVolumes.provisionerDown(provisioner);
    return this;
  }

  /** The token the TokenRequest API hands out for a service account here. */
  public static String serviceAccountToken(String namespace, String name) {
    return "sim-token-" + namespace + "-" + name;
  }

  /** A client for the code under test: fabric8's own retries are off, as kfboot sets them. */
  public KubernetesClient newClient() {
    return server.createClient(
        b -> b.editOrNewConfig().withRequestRetryBackoffLimit(0).endConfig());
  }

  /** A kubeconfig of the mock, as kfboot and kubectl read one (a token that grants nothing). */
  public String kubeconfig() {
    return """
    apiVersion: v1
    kind: Config
    clusters: [{name: sim, cluster: {server: "%s"}}]
    users: [{name: admin, user: {token: not-a-secret}}]
    contexts: [{name: sim, context: {cluster: sim, user: admin}}]
    current-context: sim
    """
        .formatted(url());
  }

  /** The mock's URL, for a kubeconfig. */
  public String url() {
    return server.url("/").replaceAll("/$", "");
  }

  public Faults faults() {
    return faults;
  }

  public List<Write> writes() {
    return List.copyOf(writes);
  }

  public List<Refusal> refusals() {
    return List.copyOf(refusals);
  }

  /**
   * When the simulated controller made "Kind ns/name" ready (CRDs: "CustomResourceDefinition
   * name").
   */
  public Long readyAt(String kindNsName) {
    return readyAt.get(kindNsName);
  }

  public boolean isEstablished(String pluralDotGroup) {
    return establishedCrds.contains(pluralDotGroup);
  }

  public boolean serviceReady(String nsName) {
    return readyServices.contains(nsName);
  }

  /** The workload "ns/name" never turns ready; its pod is stuck pulling its image. */
  public void neverReady(String nsName) {
    neverReady.add(nsName);
  }

  /**
   * Every stored object as JSON, keyed "apiVersion Kind ns/name", without what the server makes up
   * (resourceVersion, uid, timestamps, generation, managedFields), without status and without
   * Events.
   */
  public Map<String, JsonNode> snapshot() {
    Map<String, JsonNode> out = new TreeMap<>();
    List<String> stored = null;
    while (stored == null) {
      try {
        // the store is a plain map that the simulated controllers may be writing to right now
        stored = new ArrayList<>(dispatcher.getMap().values());
      } catch (ConcurrentModificationException e) {
        Thread.onSpinWait();
      }
    }
    for (String json : stored) {
      JsonNode n = read(json);
      if (!(n instanceof ObjectNode o) || o.path("kind").asText().equals("Event")) {
        continue; // events are the cluster's own record, not state anyone applied
      }
      o.remove("status");
      ObjectNode meta = (ObjectNode) o.get("metadata");
      if (meta != null) {
        meta.remove(
            List.of("resourceVersion", "uid", "creationTimestamp", "generation", "managedFields"));
      }
      String ns =
          meta == null || meta.get("namespace") == null ? "" : meta.get("namespace").asText() + "/";
      out.put(
          o.path("apiVersion").asText()
              + " "
              + o.path("kind").asText()
              + " "
              + ns
              + (meta == null ? "" : meta.path("name").asText()),
          o);
    }
    return out;
  }

  @Override
  public void close() {
    controllers.shutdownNow();
    controllerClient.close();
    server.destroy();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The API path of a request, split into its parts. */
  record Target(
      String group,
      String version,
      String namespace,
      String plural,
      String name,
      String subresource) {
    static Target parse(String fullPath) {
      String path =
          fullPath.contains("?") ? fullPath.substring(0, fullPath.indexOf('?')) : fullPath;
      String[] p = path.replaceAll("^/", "").split("/");
      int i;
      String group;
      String version;
      if (p.length >= 2 && p[0].equals("api")) {
        group = "";
        version = p[1];
        i = 2;
      } else if (p.length >= 3 && p[0].equals("apis")) {
        group = p[1];
        version = p[2];
        i = 3;
      } else {
        return null;
      }
      String ns = null;
      if (p.length > i + 1 && p[i].equals("namespaces") && p.length > i + 2) {
        ns = p[i + 1];
        i += 2;
      }
      if (p.length <= i) {
        return null;
      }
      String plural = p[i];
      String name = p.length > i + 1 ? p[i + 1] : null;
      String sub = p.length > i + 2 ? p[i + 2] : null;
      if (ns == null && plural.equals("namespaces") && name != null && sub == null) {
        return new Target(group, version, null, plural, name, null);
      }
      return new Target(group, version, ns, plural, name, sub);
    }

    String collectionPath() {
      return (group.isEmpty() ? "/api/" + version : "/apis/" + group + "/" + version)
          + (namespace == null ? "" : "/namespaces/" + namespace)
          + "/"
          + plural;
    }

    String objectPath() {
      return collectionPath() + "/" + name;
    }
  }

  private record WebhookRule(
      String webhook,
      String service,
      boolean ignoreFailures,
      List<String> groups,
      List<String> resources,
      List<String> operations) {
    boolean intercepts(String group, String plural, String operation) {
      return (groups.contains("*") || groups.contains(group))
          && (resources.contains("*")
              || resources.contains(plural)
              || resources.contains(plural + "/*"))
          && (operations.contains("*") || operations.contains(operation));
    }
  }

  private static final Set<String> BUILT_IN_GROUPS =
      Set.of(
          "",
          "apps",
          "batch",
          "autoscaling",
          "policy",
          "rbac.authorization.k8s.io",
          "networking.k8s.io",
          "admissionregistration.k8s.io",
          "apiextensions.k8s.io",
          "storage.k8s.io",
          "scheduling.k8s.io",
          "coordination.k8s.io",
          "discovery.k8s.io",
          "certificates.k8s.io",
          "node.k8s.io",
          "events.k8s.io",
          "apiregistration.k8s.io",
          "flowcontrol.apiserver.k8s.io");

  /** The dispatcher: fabric8's CRUD store plus apply, admission, faults and recording. */
  private final class Sim extends KubernetesCrudDispatcher {
    @Override
    public MockResponse dispatch(RecordedRequest request) {
      boolean underTest = !CONTROLLER_AGENT.equals(request.getHeader("User-Agent"));
      Faults.Fault fault = underTest ? faults.next(request.getMethod(), request.getPath()) : null;
      if (fault != null && fault.status() > 0) {
        return status(fault.status(), fault.reason(), "injected fault: " + fault.reason());
      }
      if (fault != null && fault.status() == Faults.MALFORMED) {
        // what a broken proxy answered a write with: a response no HTTP client can read, before the
        // server acted
        return new MockResponse()
            .setResponseCode(200)
            .addHeader("Content-Length", "2")
            .addHeader("Content-Length", "7")
            .setHeader("Content-Type", "application/json")
            .setBody("{}");
      }
      MockResponse response;
      try {
        response = handle(request, underTest);
      } catch (RuntimeException e) {
        // never leave a client hanging on a bug of the simulation
        return status(500, "InternalError", "simulated cluster: " + e);
      }
      if (fault != null) {
        // The server acted; the client sees the connection break mid-body.
        String body = response.getBody() == null ? "" : response.getBody().readUtf8();
        return new MockResponse()
            .setResponseCode(200)
            .setHeader("Content-Type", "application/json")
            .setBody(body.isEmpty() ? "{" : body.substring(0, Math.max(1, body.length() / 2)));
      }
      return response;
    }

    private MockResponse handle(RecordedRequest request, boolean underTest) {
      String method = request.getMethod().toUpperCase(Locale.ROOT);
      Target t = Target.parse(request.getPath());
      boolean write = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
      if (t != null
          && method.equals("POST")
          && "serviceaccounts".equals(t.plural())
          && "token".equals(t.subresource())) {
        return tokenRequest(t);
      }
      if (t != null
          && method.equals("POST")
          && "pods".equals(t.plural())
          && "eviction".equals(t.subresource())) {
        return evict(t);
      }
      if (t != null
          && method.equals("GET")
          && "pods".equals(t.plural())
          && "log".equals(t.subresource())) {
        return new MockResponse()
            .setResponseCode(200)
            .setHeader("Content-Type", "text/plain")
            .setBody(podsAndVolumes.log(t.namespace(), t.name()));
      }
      if (t == null
          || !underTest
          || (!write && !method.equals("DELETE"))
          || t.subresource() != null) {
        return super.dispatch(request);
      }
      String body = request.getBody() == null ? "" : request.getUtf8Body();
      JsonNode desired = write ? parseBody(body) : null;
      String name =
          t.name() != null
              ? t.name()
              : desired == null ? null : desired.path("metadata").path("name").asText(null);
      String namespace =
          t.namespace() != null
              ? t.namespace()
              : desired == null ? null : desired.path("metadata").path("namespace").asText(null);
      Target object = new Target(t.group(), t.version(), namespace, t.plural(), name, null);
      if (method.equals("DELETE")) {
        MockResponse held = holdForFinalizers(object);
        if (held != null) {
          return held;
        }
        MockResponse r = super.dispatch(request);
        if (r.code() < 300) {
          forget(object);
          writes.add(
              new Write(System.nanoTime(), "DELETE", t.group(), t.plural(), namespace, name));
        }
        return r;
      }
      MockResponse existing = name == null ? null : handleGet(object.objectPath());
      boolean exists = existing != null && existing.code() == 200;
      String operation = exists ? "UPDATE" : "CREATE";
      MockResponse refusal = admit(object, operation);
      if (refusal != null) {
        return refusal;
      }
      MockResponse r;
      String op = operation;
      String contentType = String.valueOf(request.getHeader("Content-Type"));
      if (method.equals("PATCH") && contentType.startsWith("application/apply-patch")) {
        if (!exists) {
          r =
              handleCreate(
                  copy(request, HttpMethod.POST, object.collectionPath(), String.valueOf(desired)));
        } else {
          JsonNode current = read(existing.getBody().readUtf8());
          JsonNode merged = applyMerge(current.deepCopy(), desired);
          String immutable = immutableChange(t, current, merged);
          if (immutable != null) {
            refusals.add(
                new Refusal(
                    System.nanoTime(),
                    "immutable " + immutable,
                    t.group(),
                    t.plural(),
                    namespace,
                    name));
            return status(
                422,
                "Invalid",
                t.plural() + " \"" + name + "\" is invalid: " + immutable + ": field is immutable");
          }
          if (merged.equals(current)) {
            op = "UNCHANGED";
            r =
                new MockResponse()
                    .setResponseCode(200)
                    .setHeader("Content-Type", "application/json")
                    .setBody(current.toString());
          } else {
            r = handleUpdate(copy(request, HttpMethod.PUT, object.objectPath(), merged.toString()));
          }
        }
      } else {
        // the body was read above; hand the store a request that still has it
        r =
            super.dispatch(
                new RecordedRequest(
                    request.getHttpVersion(),
                    request.method(),
                    request.getPath(),
                    request.getHeaders(),
                    new Buffer(body.getBytes(StandardCharsets.UTF_8))));
      }
      if (r.code() < 300) {
        writes.add(new Write(System.nanoTime(), op, t.group(), t.plural(), namespace, name));
        if (!op.equals("UNCHANGED")) {
          String stored = r.getBody() == null ? null : r.getBody().readUtf8();
          // reading the body consumed it: hand back a fresh response with the same content
          r =
              new MockResponse()
                  .setResponseCode(r.code())
                  .setHeader("Content-Type", "application/json")
                  .setBody(stored == null ? "" : stored);
          if (stored != null && !stored.isEmpty()) {
            observe(object, read(stored));
          }
        }
      }
      return r;
    }

    /**
     * The Eviction API as kube-apiserver answers it: 429 while a PodDisruptionBudget that selects
     * the pod allows no disruption (its status' disruptionsAllowed where a test set one, else
     * computed from minAvailable or maxUnavailable over the Running pods it selects), else the pod
     * deleted and 201.
     */
    private MockResponse evict(Target t) {
      Target podPath = new Target("", "v1", t.namespace(), "pods", t.name(), null);
      MockResponse existing = handleGet(podPath.objectPath());
      if (existing.code() != 200) {
        return status(404, "NotFound", "pods \"" + t.name() + "\" not found");
      }
      JsonNode pod = read(existing.getBody().readUtf8());
      List<JsonNode> pods = new ArrayList<>();
      read(handleGet("/api/v1/namespaces/" + t.namespace() + "/pods").getBody().readUtf8())
          .path("items")
          .forEach(pods::add);
      JsonNode budgets =
          read(
              handleGet("/apis/policy/v1/namespaces/" + t.namespace() + "/poddisruptionbudgets")
                  .getBody()
                  .readUtf8());
      for (JsonNode pdb : budgets.path("items")) {
        JsonNode selector = pdb.path("spec").path("selector");
        if (!selects(selector, pod)) {
          continue;
        }
        int allowed;
        if (pdb.path("status").has("disruptionsAllowed")) {
          allowed = pdb.path("status").path("disruptionsAllowed").asInt();
        } else {
          int expected = 0;
          int healthy = 0;
          for (JsonNode p : pods) {
            if (selects(selector, p)) {
              expected++;
              healthy += "Running".equals(p.path("status").path("phase").asText()) ? 1 : 0;
            }
          }
          JsonNode spec = pdb.path("spec");
          allowed =
              spec.has("minAvailable")
                  ? healthy - count(spec.get("minAvailable"), expected)
                  : spec.has("maxUnavailable")
                      ? count(spec.get("maxUnavailable"), expected) - (expected - healthy)
                      : healthy;
        }
        if (allowed <= 0) {
          refusals.add(new Refusal(System.nanoTime(), "pdb", "", "pods", t.namespace(), t.name()));
          return status(
              429,
              "TooManyRequests",
              "Cannot evict pod as it would violate the pod's disruption budget.");
        }
      }
      handleDelete(podPath.objectPath());
      writes.add(new Write(System.nanoTime(), "EVICT", "", "pods", t.namespace(), t.name()));
      return new MockResponse()
          .setResponseCode(201)
          .setHeader("Content-Type", "application/json")
          .setBody("{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Success\"}");
    }

    /** matchLabels only: what the budgets of these tests use. */
    private static boolean selects(JsonNode selector, JsonNode pod) {
      if (selector.isMissingNode() || selector.isNull()) {
        return false;
      }
      JsonNode labels = pod.path("metadata").path("labels");
      Iterator<Map.Entry<String, JsonNode>> want = selector.path("matchLabels").fields();
      while (want.hasNext()) {
        Map.Entry<String, JsonNode> e = want.next();
        if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
          return false;
        }
      }
      return true;
    }

    private static int count(JsonNode v, int of) {
      return v.isTextual()
          ? (int) Math.ceil(Integer.parseInt(v.asText().replace("%", "")) * of / 100.0)
          : v.asInt();
    }

    /** The TokenRequest API: a token for an existing service account, "sim-token-NS-NAME". */
    private MockResponse tokenRequest(Target t) {
      MockResponse sa =
          handleGet(
              new Target("", "v1", t.namespace(), "serviceaccounts", t.name(), null).objectPath());
      if (sa.code() != 200) {
        return status(404, "NotFound", "serviceaccounts \"" + t.name() + "\" not found");
      }
      String json =
          "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"metadata\":{\"name\":\""
              + t.name()
              + "\",\"namespace\":\""
              + t.namespace()
              + "\"},\"spec\":{\"audiences\":[]},\"status\":{\"token\":\""
              + serviceAccountToken(t.namespace(), t.name())
              + "\",\"expirationTimestamp\":\"2026-11-23T13:00:00Z\"}}";
      return new MockResponse()
          .setResponseCode(201)
          .setHeader("Content-Type", "application/json")
          .setBody(json);
    }

    /**
     * A namespace with finalizers is not removed: like a real one whose finalizer's controller is
     * gone, it stays Terminating with a deletionTimestamp.
     */
    private MockResponse holdForFinalizers(Target t) {
      if (!t.plural().equals("namespaces") || t.name() == null) {
        return null;
      }
      MockResponse existing = handleGet(t.objectPath());
      if (existing.code() != 200) {
        return null;
      }
      JsonNode ns = read(existing.getBody().readUtf8());
      if (ns.path("metadata").path("finalizers").isEmpty()) {
        return null;
      }
      ObjectNode meta = (ObjectNode) ns.get("metadata");
      meta.put("deletionTimestamp", "2026-11-23T12:00:00Z");
      ((ObjectNode) ns).putObject("status").put("phase", "Terminating");
      meta.remove("resourceVersion");
      handleUpdate(t.objectPath(), ns.toString());
      writes.add(new Write(System.nanoTime(), "DELETE", t.group(), t.plural(), null, t.name()));
      return new MockResponse()
          .setResponseCode(200)
          .setHeader("Content-Type", "application/json")
          .setBody(ns.toString());
    }

    private MockResponse admit(Target t, String operation) {
      if (!BUILT_IN_GROUPS.contains(t.group())
          && !establishedCrds.contains(t.plural() + "." + t.group())) {
        refusals.add(
            new Refusal(
                System.nanoTime(),
                "crd-not-established",
                t.group(),
                t.plural(),
                t.namespace(),
                t.name()));
        return status(
            404,
            "NotFound",
            "the server could not find the requested resource ("
                + t.plural()
                + "."
                + t.group()
                + ")");
      }
      for (List<WebhookRule> rules : webhooks.values()) {
        for (WebhookRule w : rules) {
          if (!w.ignoreFailures()
              && w.intercepts(t.group(), t.plural(), operation)
              && !readyServices.contains(w.service())) {
            refusals.add(
                new Refusal(
                    System.nanoTime(),
                    "webhook-unavailable " + w.webhook(),
                    t.group(),
                    t.plural(),
                    t.namespace(),
                    t.name()));
            String svc = w.service().substring(w.service().indexOf('/') + 1);
            return status(
                500,
                "InternalError",
                "Internal error occurred: failed calling webhook \""
                    + w.webhook()
                    + "\": failed to call webhook: Post \"https://"
                    + svc
                    + "."
                    + w.service().substring(0, w.service().indexOf('/'))
                    + ".svc:443/\": no endpoints available for service \""
                    + svc
                    + "\"");
          }
        }
      }
      return null;
    }

    private RecordedRequest copy(
        RecordedRequest original, HttpMethod method, String path, String body) {
      return new RecordedRequest(
          original.getHttpVersion(),
          method,
          path,
          original.getHeaders().newBuilder().set("Content-Type", "application/json").build(),
          new Buffer(body.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /**
   * The field a change would alter that a real API server refuses to change in place (it answers
   * 422 "field is immutable"), or null: workload selectors, a StatefulSet's serviceName, claim
   * templates and pod management policy, a Job's template, a binding's roleRef. kfboot's own
   * detector is written separately (components' ImmutableFields), so that each checks the other.
   */
  static String immutableChange(Target t, JsonNode current, JsonNode next) {
    List<String> fields = new ArrayList<>();
    switch (t.group() + "/" + t.plural()) {
      case "apps/deployments", "apps/daemonsets", "apps/replicasets" -> fields.add("spec.selector");
      case "apps/statefulsets" ->
          fields.addAll(
              List.of(
                  "spec.selector",
                  "spec.serviceName",
                  "spec.volumeClaimTemplates",
                  "spec.podManagementPolicy"));
      case "batch/jobs" -> fields.addAll(List.of("spec.selector", "spec.template"));
      case "rbac.authorization.k8s.io/rolebindings",
          "rbac.authorization.k8s.io/clusterrolebindings" ->
          fields.add("roleRef");
      default -> {}
    }
    for (String field : fields) {
      JsonNode before = current;
      JsonNode after = next;
      for (String part : field.split("\\.")) {
        before = before.path(part);
        after = after.path(part);
      }
      if (!before.isMissingNode() && !before.equals(after)) {
        return field;
      }
    }
    return null;
  }

  private static MockResponse status(int code, String reason, String message) {
    String json =
        "{\"apiVersion\":\"v1\",\"kind\":\"Status\",\"status\":\"Failure\",\"code\":"
            + code
            + ",\"reason\":\""
            + reason
            + "\",\"message\":"
            + JSON.valueToTree(message).toString()
            + "}";
    return new MockResponse()
        .setResponseCode(code)
        .setHeader("Content-Type", "application/json")
        .setBody(json);
  }

  private static JsonNode parseBody(String body) {
    String trimmed = body.trim();
    if (trimmed.isEmpty() || trimmed.startsWith("[")) {
      return null; // a JSON patch: a list of operations, not an object
    }
    if (trimmed.startsWith("{")) {
      return read(trimmed);
    }
    Object yaml = Serialization.unmarshal(body, Map.class);
    return JSON.valueToTree(yaml);
  }

  /** JSON merge as apply does it for our purposes: maps merge, lists and scalars replace. */
  static JsonNode applyMerge(JsonNode target, JsonNode patch) {
    if (!(target instanceof ObjectNode t) || !patch.isObject()) {
      return patch;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> f = fields.next();
      if (f.getValue().isNull()) {
        t.remove(f.getKey());
      } else if (t.has(f.getKey())) {
        t.set(f.getKey(), applyMerge(t.get(f.getKey()), f.getValue()));
      } else {
        t.set(f.getKey(), f.getValue());
      }
    }
    return t;
  }

  /** What the simulated controllers do after an accepted write. */
  private void observe(Target t, JsonNode obj) {
    String kind = obj.path("kind").asText();
    String ns = obj.path("metadata").path("namespace").asText(null);
    String name = obj.path("metadata").path("name").asText();
    switch (kind) {
      case "CustomResourceDefinition" -> later(latencies.of(kind, name), () -> establish(name));
      case "Deployment", "StatefulSet", "DaemonSet" -> {
        String nsName = ns + "/" + name;
        if (neverReady.contains(nsName)) {
          later(latencies.of(kind, nsName), () -> stuckPod(ns, name, obj));
        } else {
          later(latencies.of(kind, nsName), () -> makeReady(kind, ns, name));
        }
      }
      case "Service" -> later(Duration.ZERO, () -> reconcileEndpoints(ns));
      case "Pod" -> later(Duration.ofMillis(20), () -> podsAndVolumes.podWritten(ns, name));
      case "PersistentVolumeClaim" ->
          later(Duration.ZERO, () -> podsAndVolumes.claimWritten(ns, name));
      case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration" ->
          webhooks.put(kind + "/" + name, rules(obj));
      default -> {}
    }
  }

  private void forget(Target t) {
    if (t.plural().equals("customresourcedefinitions")) {
      String name = t.name();
      int dot = name.indexOf('.');
      establishedCrds.remove(name.substring(0, dot) + "." + name.substring(dot + 1));
    }
    if (t.plural().equals("mutatingwebhookconfigurations")) {
      webhooks.remove("MutatingWebhookConfiguration/" + t.name());
    }
    if (t.plural().equals("validatingwebhookconfigurations")) {
      webhooks.remove("ValidatingWebhookConfiguration/" + t.name());
    }
  }

  private static List<WebhookRule> rules(JsonNode config) {
    List<WebhookRule> out = new ArrayList<>();
    for (JsonNode w : config.path("webhooks")) {
      JsonNode svc = w.path("clientConfig").path("service");
      if (svc.isMissingNode()) {
        continue;
      }
      String service = svc.path("namespace").asText() + "/" + svc.path("name").asText();
      boolean ignore = "Ignore".equals(w.path("failurePolicy").asText());
      for (JsonNode rule : w.path("rules")) {
        out.add(
            new WebhookRule(
                w.path("name").asText(),
                service,
                ignore,
                strings(rule.path("apiGroups")),
                strings(rule.path("resources")),
                strings(rule.path("operations"))));
      }
    }
    return out;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private void later(Duration delay, Runnable task) {
    controllers.schedule(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            // An object deleted before its controller got to it, or the cluster closing: as in
            // life.
            if (System.getProperty("kfboot.simDebug") != null) {
              e.printStackTrace();
            }
          }
        },
        delay.toNanos(),
        TimeUnit.NANOSECONDS);
  }

  private void establish(String crdName) {
    CustomResourceDefinition crd =
        controllerClient.apiextensions().v1().customResourceDefinitions().withName(crdName).get();
    if (crd == null) {
      return;
    }
    crd.setStatus(
        new CustomResourceDefinitionStatusBuilder()
            .withConditions(
                new CustomResourceDefinitionConditionBuilder()
                    .withType("NamesAccepted")
                    .withStatus("True")
                    .withReason("NoConflicts")
                    .build(),
                new CustomResourceDefinitionConditionBuilder()
                    .withType("Established")
                    .withStatus("True")
                    .withReason("InitialNamesAccepted")
                    .build())
            .withAcceptedNames(crd.getSpec().getNames())
            .build());
    // readiness times are taken before the write that makes them visible, so they precede any
    // reader
    readyAt.put("CustomResourceDefinition " + crdName, System.nanoTime());
    establishedCrds.add(crd.getSpec().getNames().getPlural() + "." + crd.getSpec().getGroup());
    controllerClient.apiextensions().v1().customResourceDefinitions().resource(crd).updateStatus();
  }

  private void makeReady(String kind, String ns, String name) {
    Map<String, String> labels;
    switch (kind) {
      case "Deployment" -> {
        Deployment d = controllerClient.apps().deployments().inNamespace(ns).withName(name).get();
        if (d == null) {
          return;
        }
        int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        d.setStatus(
            new DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withUpdatedReplicas(replicas)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withConditions(
                    new DeploymentConditionBuilder()
                        .withType("Available")
                        .withStatus("True")
                        .withReason("MinimumReplicasAvailable")
                        .build())
                .build());
        readyAt.put(kind + " " + ns + "/" + name, System.nanoTime());
        controllerClient.apps().deployments().resource(d).updateStatus();
        labels = d.getSpec().getTemplate().getMetadata().getLabels();
      }
      case "StatefulSet" -> {
        StatefulSet s = controllerClient.apps().statefulSets().inNamespace(ns).withName(name).get();
        if (s == null) {
          return;
        }
        int replicas = s.getSpec().getReplicas() == null ? 1 : s.getSpec().getReplicas();
        s.setStatus(
            new StatefulSetStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(replicas)
                .withAvailableReplicas(replicas)
                .withCurrentReplicas(replicas)
                .withObservedGeneration(s.getMetadata().getGeneration())
                .build());
        readyAt.put(kind + " " + ns + "/" + name, System.nanoTime());
        controllerClient.apps().statefulSets().resource(s).updateStatus();
        labels = s.getSpec().getTemplate().getMetadata().getLabels();
      }
      default -> {
        DaemonSet d = controllerClient.apps().daemonSets().inNamespace(ns).withName(name).get();
        if (d == null) {
          return;
        }
        d.setStatus(
            new DaemonSetStatusBuilder()
                .withDesiredNumberScheduled(1)
                .withCurrentNumberScheduled(1)
                .withNumberReady(1)
                .withNumberAvailable(1)
                .withUpdatedNumberScheduled(1)
                .withObservedGeneration(d.getMetadata().getGeneration())
                .build());
        readyAt.put(kind + " " + ns + "/" + name, System.nanoTime());
        controllerClient.apps().daemonSets().resource(d).updateStatus();
        labels = d.getSpec().getTemplate().getMetadata().getLabels();
      }
    }
    readyWorkloadLabels
        .computeIfAbsent(ns, k -> new CopyOnWriteArrayList<>())
        .add(labels == null ? Map.of() : labels);
    reconcileEndpoints(ns);
  }

  private synchronized void reconcileEndpoints(String ns) {
    List<Map<String, String>> ready = readyWorkloadLabels.getOrDefault(ns, List.of());
    for (Service s : controllerClient.services().inNamespace(ns).list().getItems()) {
      Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
      String nsName = ns + "/" + s.getMetadata().getName();
      if (selector == null || selector.isEmpty() || readyServices.contains(nsName)) {
        continue;
      }
      boolean matched = ready.stream().anyMatch(l -> l.entrySet().containsAll(selector.entrySet()));
      if (matched) {
        readyAt.put("Service " + nsName, System.nanoTime());
        // the backend answers from now on; the Endpoints object becomes visible right after
        readyServices.add(nsName);
        controllerClient
            .endpoints()
            .inNamespace(ns)
            .resource(
                new EndpointsBuilder()
                    .withNewMetadata()
                    .withName(s.getMetadata().getName())
                    .withNamespace(ns)
                    .endMetadata()
                    .addNewSubset()
                    .withAddresses(
                        new EndpointAddressBuilder()
                            .withIp("10.42.0." + (1 + readyServices.size() % 250))
                            .build())
                    .endSubset()
                    .build())
            .createOr(NonDeletingOperation::update);
      }
    }
  }

  private void stuckPod(String ns, String workload, JsonNode obj) {
    String image =
        obj.path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .path(0)
            .path("image")
            .asText("unknown");
    String container =
        obj.path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .path(0)
            .path("name")
            .asText("main");
    String podName = workload + "-5c8d7b9f4-x2x7q";
    var pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(podName)
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName(container)
            .withImage(image)
            .endContainer()
            .endSpec()
            .build();
    controllerClient.pods().inNamespace(ns).resource(pod).createOr(NonDeletingOperation::update);
    var stored = controllerClient.pods().inNamespace(ns).withName(podName).get();
    stored.setStatus(
        new PodStatusBuilder()
            .withPhase("Pending")
            .addNewContainerStatus()
            .withName(container)
            .withImage(image)
            .withReady(false)
            .withRestartCount(0)
            .withNewState()
            .withNewWaiting()
            .withReason("ImagePullBackOff")
            .withMessage("Back-off pulling image \"" + image + "\"")
            .endWaiting()
            .endState()
            .endContainerStatus()
            .build());
    controllerClient.pods().inNamespace(ns).resource(stored).updateStatus();
    controllerClient
        .v1()
        .events()
        .inNamespace(ns)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(podName + ".1")
                .withNamespace(ns)
                .endMetadata()
                .withType("Warning")
                .withReason("Failed")
                .withMessage("Failed to pull image \"" + image + "\": not found")
                .withLastTimestamp("2026-11-23T12:00:00Z")
                .withInvolvedObject(
                    new ObjectReferenceBuilder()
                        .withKind("Pod")
                        .withName(podName)
                        .withNamespace(ns)
                        .build())
                .build())
        .createOr(NonDeletingOperation::update);
  }

  /** Faults for the next matching requests of the client under test. */
  public static final class Faults {
    /** An error status, or (status 0) a connection that drops after the server acted. */
    public record Fault(int status, String reason) {}

    private record Planned(String method, String pathContains, Fault fault, int[] remaining) {}

    private final List<Planned> planned = new CopyOnWriteArrayList<>();
    private final List<String> injected = new CopyOnWriteArrayList<>();

    /**
     * The next {@code times} requests with this method whose path contains {@code pathContains}.
     */
    public Faults fail(String method, String pathContains, int status, int times) {
      planned.add(
          new Planned(
              method, pathContains, new Fault(status, reasonOf(status)), new int[] {times}));
      return this;
    }

    /** Status of a fault whose response is malformed HTTP (two different Content-Length values). */
    static final int MALFORMED = -1;

    public Faults malformed(String method, String pathContains, int times) {
      planned.add(
          new Planned(
              method, pathContains, new Fault(MALFORMED, "malformed response"), new int[] {times}));
      return this;
    }

    /**
     * Every {@code every}-th request with this method (a fault rate, deterministic by count): in
     * turn 429, 500, 503, a malformed response and a dropped connection.
     */
    public Faults everyNth(String method, int every) {
      rates.add(new Rate(method, every, new int[] {0}));
      return this;
    }

    private record Rate(String method, int every, int[] seen) {}

    private final List<Rate> rates = new CopyOnWriteArrayList<>();
    private static final Fault[] CYCLE = {
      new Fault(429, "TooManyRequests"),
      new Fault(500, "InternalError"),
      new Fault(503, "ServiceUnavailable"),
      new Fault(MALFORMED, "malformed response"),
      new Fault(0, "dropped connection")
    };

    public Faults drop(String method, String pathContains, int times) {
      planned.add(
          new Planned(method, pathContains, new Fault(0, "dropped connection"), new int[] {times}));
      return this;
    }

    /** "METHOD path: reason" for every fault served. */
    public List<String> injected() {
      return List.copyOf(injected);
    }

    synchronized Fault next(String method, String path) {
      for (Rate r : rates) {
        if (r.method.equalsIgnoreCase(method) && ++r.seen[0] % r.every == 0) {
          Fault f = CYCLE[(r.seen[0] / r.every) % CYCLE.length];
          injected.add(method + " " + path + ": " + f.reason());
          return f;
        }
      }
      for (Planned p : planned) {
        if (p.remaining[0] > 0
            && p.method.equalsIgnoreCase(method)
            && path.contains(p.pathContains)) {
          p.remaining[0]--;
          injected.add(method + " " + path + ": " + p.fault.reason());
          return p.fault;
        }
      }
      return null;
    }

    private static String reasonOf(int status) {
      return switch (status) {
        case 409 -> "Conflict";
        case 429 -> "TooManyRequests";
        case 500 -> "InternalError";
        case 503 -> "ServiceUnavailable";
        case 504 -> "Timeout";
        default -> "Error";
      };
    }
  }
}
