package io.kfboot.verify.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kfboot.verify.VerifyException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A predict call to a scikit-learn InferenceService through the gateway, as kubeflow/manifests'
 * tests/kserve_test.sh makes it (v1.10.2): on the path {@code /kserve/<namespace>/<name>/} that a
 * VirtualService rewrites to the model's Knative service, with a service-account token, the two
 * iris rows of tests/kserve/data/iris_input.json, expecting the classes [1, 1].
 */
public final class InferencePredict {
  /** The iris rows upstream's test sends, and the classes the example model gives them. */
  public static final String INSTANCES =
      "{\"instances\": [[6.8, 2.8, 4.8, 1.4], [6.0, 3.4, 4.5, 1.6]]}";

  public static final String EXPECTED = "[1,1]";
  private static final ObjectMapper JSON = new ObjectMapper();

  private InferencePredict() {}

  public static String path(String namespace, String name) {
    return "/kserve/" + namespace + "/" + name + "/v1/models/" + name + ":predict";
  }

  public static String predict(
      GatewayEndpoint gateway, String namespace, String name, String token, Duration timeout) {
    URI url = gateway.url().resolve(path(namespace, name));
    try {
      HttpResponse<String> r =
          gateway
              .client()
              .connectTimeout(timeout)
              .build()
              .send(
                  HttpRequest.newBuilder(url)
                      .timeout(timeout)
                      .header("Authorization", "Bearer " + token)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(INSTANCES))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new VerifyException(
            "the predict call to "
                + url.getPath()
                + " answered HTTP "
                + r.statusCode()
                + ": "
                + r.body().strip(),
            r.statusCode() == 403
                ? "the AuthorizationPolicy for the model's predictor must allow it"
                : "look at the predictor pod and the knative-local-gateway",
            "");
      }
      JsonNode predictions = JSON.readTree(r.body()).path("predictions");
      if (!predictions.toString().equals(EXPECTED)) {
        throw new VerifyException(
            "the model answered " + predictions + ", not " + EXPECTED + " for the iris rows",
            "check the model at the storageUri and the sklearn runtime version",
            "");
      }
      return "predicted " + predictions + " through " + url.getPath();
    } catch (IOException e) {
      throw new VerifyException(
          "cannot reach " + url + ": " + e.getMessage(), "check the gateway", "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VerifyException("interrupted", "", "");
    }
  }
}
