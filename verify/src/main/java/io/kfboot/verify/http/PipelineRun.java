package io.kfboot.verify.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kfboot.core.Retry;
import io.kfboot.verify.VerifyException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A minimal Kubeflow Pipelines v2 run through the gateway, as the profile's service account (a
 * {@code default-editor} token, which oauth2-proxy passes on as a bearer JWT) or as a logged-in
 * user: an experiment in the user's namespace, a run of a one-step pipeline whose IR spec is built
 * here (no SDK, no upload), waited for until SUCCEEDED; then a recurring run created and deleted,
 * and the run and experiment removed. The calls are the KFP v2beta1 REST API's (backend/api/v2beta1
 * in kubeflow/pipelines: experiments, runs, recurringruns), the ones kubeflow/manifests'
 * tests/pipeline_v2_test.py makes through the SDK.
 */
public final class PipelineRun {
  static final String API = "/pipeline/apis/v2beta1";
  static final String IMAGE = "docker.io/library/python:3.12-alpine";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The run's one output artifact, which the launcher stores under the pipeline root. */
  public static final String MARKER = "kfboot-marker";

  /** What is checked once a run has SUCCEEDED, before it is deleted: where its artifacts landed. */
  @FunctionalInterface
  public interface AfterRun {
    /**
     * @return what was seen, for the report; throws {@link VerifyException} when it is wrong
     */
    String check(String runId);

    AfterRun NOTHING = runId -> "";
  }

  private final URI endpoint;
  private final HttpClient http;
  private final String bearer;
  private final Duration poll;

  /** As the logged-in user of the session. */
  public PipelineRun(DexLogin.Session session, Duration poll) {
    this(session.endpoint(), session.http(), null, poll);
  }

  /** As a service account: {@code token} goes in every request's Authorization header. */
  public PipelineRun(GatewayEndpoint gateway, String token, Duration poll) {
    this(
        gateway.url(),
        gateway.client().connectTimeout(Duration.ofSeconds(30)).build(),
        token,
        poll);
  }

  private PipelineRun(URI endpoint, HttpClient http, String bearer, Duration poll) {
    this.endpoint = endpoint;
    this.http = http;
    this.bearer = bearer;
    this.poll = poll;
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(endpoint.resolve(path)).timeout(Duration.ofSeconds(60));
    return bearer == null ? b : b.header("Authorization", "Bearer " + bearer);
  }

  /** The pipeline's IR: one task, one container that writes its one output artifact. */
  public static Map<String, Object> pipelineSpec() {
    return Map.of(
        "pipelineInfo", Map.of("name", "kfboot-verify"),
        "schemaVersion", "2.1.0",
        "sdkVersion", "kfboot",
        "root",
            Map.of(
                "dag",
                Map.of(
                    "tasks",
                    Map.of(
                        "say",
                        Map.of(
                            "taskInfo",
                            Map.of("name", "say"),
                            "componentRef",
                            Map.of("name", "comp-say"))))),
        "components",
            Map.of(
                "comp-say",
                Map.of(
                    "executorLabel",
                    "exec-say",
                    "outputDefinitions",
                    Map.of(
                        "artifacts",
                        Map.of(
                            MARKER,
                            Map.of(
                                "artifactType",
                                Map.of(
                                    "schemaTitle",
                                    "system.Artifact",
                                    "schemaVersion",
                                    "0.0.1")))))),
        "deploymentSpec",
            Map.of(
                "executors",
                Map.of(
                    "exec-say",
                    Map.of(
                        "container",
                        Map.of(
                            "image",
                            IMAGE,
                            "command",
                            // the artifact's path is $0: the launcher uploads the file to the
                            // pipeline root, which is how the artifact store is proven
                            List.of(
                                "sh",
                                "-c",
                                "mkdir -p \"$(dirname \"$0\")\" && echo 'kfboot: pipeline step ran'"
                                    + " | tee \"$0\""),
                            "args",
                            List.of("{{$.outputs.artifacts['" + MARKER + "'].path}}"))))));
  }

  /**
   * @return what was seen: the run's id and state
   */
  public String run(String namespace, Duration timeout) {
    return run(namespace, timeout, AfterRun.NOTHING);
  }

  /**
   * @param afterRun checked once the run has SUCCEEDED
   * @return what was seen: the run's id and state, and what {@code afterRun} saw
   */
  public String run(String namespace, Duration timeout, AfterRun afterRun) {
    String experiment = null;
    String runId = null;
    try {
      experiment =
          post(
                  API + "/experiments",
                  Map.of("display_name", "kfboot-verify", "namespace", namespace))
              .path("experiment_id")
              .asText();
      runId =
          post(
                  API + "/runs",
                  Map.of(
                      "display_name",
                      "kfboot-verify",
                      "experiment_id",
                      experiment,
                      "pipeline_spec",
                      pipelineSpec()))
              .path("run_id")
              .asText();
      String id = runId;
      try {
        Retry.poll(
            "the pipeline run " + id,
            () -> {
              JsonNode run = getUninterruptibly(API + "/runs/" + id);
              String state = run.path("state").asText();
              if (state.equals("FAILED") || state.equals("CANCELED")) {
                throw new VerifyException(
                    "the pipeline run "
                        + id
                        + " ended "
                        + state
                        + ": "
                        + run.path("error").path("message").asText(""),
                    "look at the run in the dashboard, and at the pods in "
                        + namespace
                        + " (the workflow's pods)",
                    "");
              }
              return state.equals("SUCCEEDED")
                  ? Retry.Look.done(state)
                  : Retry.Look.<String>pending(state.isEmpty() ? "pending" : state);
            },
            poll,
            timeout);
      } catch (Retry.TimedOut e) {
        throw new VerifyException(
            "the pipeline run "
                + runId
                + " is still "
                + e.lastDetail()
                + " after "
                + timeout.toSeconds()
                + "s",
            "look at ml-pipeline and the workflow controller in kubeflow, and the run's pods in "
                + namespace,
            "");
      }
      String recurring =
          post(
                  API + "/recurringruns",
                  Map.of(
                      "display_name",
                      "kfboot-verify-recurring",
                      "experiment_id",
                      experiment,
                      "pipeline_spec",
                      pipelineSpec(),
                      "mode",
                      "ENABLE",
                      "max_concurrency",
                      1,
                      "trigger",
                      Map.of("periodic_schedule", Map.of("interval_second", 3600))))
              .path("recurring_run_id")
              .asText();
      delete(API + "/recurringruns/" + recurring);
      String after = afterRun.check(runId);
      return "run "
          + runId
          + " SUCCEEDED; recurring run created and deleted"
          + (after.isEmpty() ? "" : "; " + after);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VerifyException("interrupted", "", "");
    } finally {
      quietly(runId == null ? null : API + "/runs/" + runId);
      quietly(experiment == null ? null : API + "/experiments/" + experiment);
    }
  }

  private JsonNode post(String path, Object body) {
    try {
      return answer(
          "POST " + path,
          http.send(
              request(path)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VerifyException("interrupted", "", "");
    }
  }

  /**
   * A GET inside a poll: an interrupt ends the poll as kfboot's waits end, with the interrupt kept.
   */
  private JsonNode getUninterruptibly(String path) {
    try {
      return get(path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VerifyException(
          "interrupted while waiting for the pipeline run", "rerun kfboot verify", "");
    }
  }

  private JsonNode get(String path) throws InterruptedException {
    try {
      return answer(
          "GET " + path,
          http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  private void delete(String path) throws InterruptedException {
    try {
      answer(
          "DELETE " + path,
          http.send(request(path).DELETE().build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  private void quietly(String path) {
    if (path == null) {
      return;
    }
    try {
      http.send(request(path).DELETE().build(), HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // cleanup is best effort: the check's result is what it saw
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static JsonNode answer(String what, HttpResponse<String> r) throws IOException {
    if (r.statusCode() / 100 != 2) {
      String message = r.body().length() > 300 ? r.body().substring(0, 300) : r.body();
      throw new VerifyException(
          "the Pipelines API answered HTTP "
              + r.statusCode()
              + " to "
              + what
              + ": "
              + message.strip(),
          r.statusCode() == 403 || r.statusCode() == 401
              ? "the user has no access to the namespace: check its Profile and the"
                  + " ml-pipeline AuthorizationPolicy"
              : "look at the ml-pipeline pod's log in kubeflow",
          "");
    }
    return r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
  }

  private VerifyException unreachable(IOException e) {
    return new VerifyException(
        "cannot reach the Pipelines API at " + endpoint.resolve(API) + ": " + e.getMessage(),
        "check the gateway",
        "");
  }
}
