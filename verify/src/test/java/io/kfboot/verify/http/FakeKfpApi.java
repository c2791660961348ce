package io.kfboot.verify.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The KFP v2beta1 REST API in multi-user mode as ml-pipeline answers it behind the gateway:
 * experiments need the user's namespace, runs a known experiment and a pipeline spec whose tasks
 * name components that name executors; a run goes PENDING, RUNNING, then SUCCEEDED (or FAILED).
 * Shapes follow backend/api/v2beta1 (experiment_id, run_id, recurring_run_id, state).
 */
public final class FakeKfpApi {
  private static final ObjectMapper JSON = new ObjectMapper();
  public final Map<String, String> experiments = new ConcurrentHashMap<>(); // id -> namespace
  public final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>(); // id -> polls seen
  public final Map<String, String> recurring = new ConcurrentHashMap<>();
  public volatile boolean failRuns;
  private final String userNamespace;

  public FakeKfpApi(String userNamespace) {
    this.userNamespace = userNamespace;
  }

  /**
   * @return status and JSON body
   */
  record Answer(int status, String body) {}

  Answer handle(String method, String path, String body) throws Exception {
    String rest = path.substring("/pipeline/apis/v2beta1".length());
    JsonNode in = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
    if (method.equals("POST") && rest.equals("/experiments")) {
      String ns = in.path("namespace").asText("");
      if (ns.isEmpty()) {
        return new Answer(
            400,
            "{\"error\":\"Invalid input error: In multi-user mode, experiment namespace must be"
                + " specified.\"}");
      }
      if (!ns.equals(userNamespace)) {
        return new Answer(
            403, "{\"error\":\"PermissionDenied: user has no access to namespace " + ns + "\"}");
      }
      String id = UUID.randomUUID().toString();
      experiments.put(id, ns);
      return ok(
          Map.of(
              "experiment_id",
              id,
              "display_name",
              in.path("display_name").asText(),
              "namespace",
              ns));
    }
    if (method.equals("POST") && (rest.equals("/runs") || rest.equals("/recurringruns"))) {
      if (!experiments.containsKey(in.path("experiment_id").asText())) {
        return new Answer(400, "{\"error\":\"Invalid input error: experiment not found\"}");
      }
      String invalid = invalidSpec(in.path("pipeline_spec"));
      if (invalid != null) {
        return new Answer(400, "{\"error\":\"Invalid input error: " + invalid + "\"}");
      }
      String id = UUID.randomUUID().toString();
      if (rest.equals("/runs")) {
        runs.put(id, new AtomicInteger());
        return ok(Map.of("run_id", id, "state", "PENDING"));
      }
      if (!in.path("trigger").path("periodic_schedule").has("interval_second")
          && !in.path("trigger").has("cron_schedule")) {
        return new Answer(
            400, "{\"error\":\"Invalid input error: a recurring run needs a trigger\"}");
      }
      recurring.put(id, in.path("mode").asText());
      return ok(Map.of("recurring_run_id", id));
    }
    if (method.equals("GET") && rest.startsWith("/runs/")) {
      AtomicInteger polls = runs.get(rest.substring("/runs/".length()));
      if (polls == null) {
        return new Answer(404, "{\"error\":\"run not found\"}");
      }
      int n = polls.incrementAndGet();
      String state = n < 2 ? "PENDING" : n < 3 ? "RUNNING" : failRuns ? "FAILED" : "SUCCEEDED";
      return state.equals("FAILED")
          ? ok(Map.of("state", state, "error", Map.of("message", "exec-say: Error (exit code 1)")))
          : ok(Map.of("state", state));
    }
    if (method.equals("DELETE")) {
      Map<String, ?> from =
          rest.startsWith("/runs/")
              ? runs
              : rest.startsWith("/recurringruns/")
                  ? recurring
                  : rest.startsWith("/experiments/") ? experiments : null;
      if (from == null || from.remove(rest.substring(rest.lastIndexOf('/') + 1)) == null) {
        return new Answer(404, "{\"error\":\"not found\"}");
      }
      return ok(Map.of());
    }
    return new Answer(404, "{\"error\":\"no route " + method + " " + rest + "\"}");
  }

  /** Why the IR spec would be refused, or null. */
  static String invalidSpec(JsonNode spec) {
    if (!spec.path("schemaVersion").asText().startsWith("2.")) {
      return "pipeline_spec.schemaVersion must be 2.x";
    }
    JsonNode tasks = spec.path("root").path("dag").path("tasks");
    if (!tasks.isObject() || tasks.isEmpty()) {
      return "pipeline_spec.root.dag.tasks is empty";
    }
    for (JsonNode task : tasks) {
      String component = task.path("componentRef").path("name").asText();
      String executor = spec.path("components").path(component).path("executorLabel").asText();
      if (executor.isEmpty()
          || !spec.path("deploymentSpec")
              .path("executors")
              .path(executor)
              .path("container")
              .has("image")) {
        return "task's component " + component + " has no executor with a container image";
      }
      // as the launcher resolves them: an output artifact's path must be one the component declares
      JsonNode container =
          spec.path("deploymentSpec").path("executors").path(executor).path("container");
      JsonNode declared =
          spec.path("components").path(component).path("outputDefinitions").path("artifacts");
      Matcher m = OUTPUT_PATH.matcher(container.path("args").toString());
      while (m.find()) {
        if (!declared.has(m.group(1))) {
          return "output artifact " + m.group(1) + " is not declared by " + component;
        }
      }
      if (OUTPUT_PATH.matcher(container.path("command").toString()).find()) {
        return "placeholders belong in args";
      }
    }
    return null;
  }

  private static final Pattern OUTPUT_PATH =
      Pattern.compile("\\{\\{\\$\\.outputs\\.artifacts\\['([^']+)'\\]\\.path\\}\\}");

  private static Answer ok(Map<String, ?> body) throws Exception {
    return new Answer(200, JSON.writeValueAsString(body));
  }
}
