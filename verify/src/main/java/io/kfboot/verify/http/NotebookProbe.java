package io.kfboot.verify.http;

import io.kfboot.verify.VerifyException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A notebook server's own answer through the gateway, as the logged-in user opens it from the
 * dashboard: {@code /notebook/<namespace>/<name>/api}, where Jupyter Server reports its version.
 */
public final class NotebookProbe {
  private NotebookProbe() {}

  public static String path(String namespace, String name) {
    return "/notebook/" + namespace + "/" + name + "/api";
  }

  public static String get(DexLogin.Session session, String namespace, String name) {
    var url = session.endpoint().resolve(path(namespace, name));
    try {
      HttpResponse<String> r =
          session
              .http()
              .send(
                  HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60)).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200 || !r.body().contains("\"version\"")) {
        throw new VerifyException(
            "the notebook at " + url.getPath() + " answered HTTP " + r.statusCode(),
            "look at the notebook's pod and its VirtualService in " + namespace,
            "");
      }
      return "Jupyter answered at " + url.getPath();
    } catch (IOException e) {
      throw new VerifyException(
          "cannot reach " + url + ": " + e.getMessage(), "check the gateway", "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VerifyException("interrupted", "", "");
    }
  }
}
