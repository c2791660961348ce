package io.kfboot.verify.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.kfboot.verify.VerifyException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The predict call against a stand-in for the gateway route to a Knative sklearn predictor. */
class InferencePredictTest {
  /**
   * Answers like the sklearn iris model behind upstream's route, for the right token and body only.
   */
  static HttpServer model(String token, String answer) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/",
        x -> {
          String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          int status;
          String out;
          if (!x.getRequestMethod().equals("POST")
              || !x.getRequestURI().getPath().equals(InferencePredict.path("team-a", "iris"))) {
            status = 404;
            out = "no route";
          } else if (!("Bearer " + token).equals(x.getRequestHeaders().getFirst("Authorization"))) {
            status = 403;
            out = "RBAC: access denied";
          } else if (new ObjectMapper().readTree(body).path("instances").size() != 2) {
            status = 400;
            out = "{\"error\":\"bad instances\"}";
          } else {
            status = 200;
            out = answer;
          }
          byte[] b = out.getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(status, b.length);
          x.getResponseBody().write(b);
          x.close();
        });
    s.start();
    return s;
  }

  @Test
  void theIrisRowsGetTheirClasses() throws Exception {
    HttpServer s = model("sa-token", "{\"predictions\": [1, 1]}");
    try {
      URI gw = URI.create("http://127.0.0.1:" + s.getAddress().getPort());
      assertThat(
              InferencePredict.predict(
                  GatewayEndpoint.of(gw), "team-a", "iris", "sa-token", Duration.ofSeconds(5)))
          .startsWith("predicted [1,1]");
      assertThatThrownBy(
              () ->
                  InferencePredict.predict(
                      GatewayEndpoint.of(gw), "team-a", "iris", "wrong", Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(
              VerifyException.class, e -> assertThat(e.fix()).contains("AuthorizationPolicy"));
    } finally {
      s.stop(0);
    }
  }

  @Test
  void wrongClassesAreAFailure() throws Exception {
    HttpServer s = model("t", "{\"predictions\": [0, 2]}");
    try {
      assertThatThrownBy(
              () ->
                  InferencePredict.predict(
                      GatewayEndpoint.of(
                          URI.create("http://127.0.0.1:" + s.getAddress().getPort())),
                      "team-a",
                      "iris",
                      "t",
                      Duration.ofSeconds(5)))
          .hasMessageContaining("the model answered [0,2], not [1,1]");
    } finally {
      s.stop(0);
    }
  }
}
