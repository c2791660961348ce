package io.kfboot.verify.http;

import io.kfboot.verify.VerifyException;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Whether a logged-in user may work in a profile's namespace, asked as the dashboard asks it: the
 * Jupyter web app lists the namespace's notebooks after a SubjectAccessReview of the user
 * (kubeflow/kubeflow
 * components/crud-web-apps/common/backend/kubeflow/kubeflow/crud_backend/authz.py) and answers 403
 * where the user's RoleBindings there (the ones KFAM and kfboot make) do not allow it.
 */
public final class ProfileAccess {
  private ProfileAccess() {}

  /** true for 200, false for 403; anything else is an error naming what answered. */
  public static boolean allowed(DexLogin.Session session, String namespace) {
    String path = "/jupyter/api/namespaces/" + namespace + "/notebooks";
    try {
      HttpResponse<String> r =
          session
              .http()
              .send(
                  HttpRequest.newBuilder(session.endpoint().resolve(path))
                      .timeout(Duration.ofSeconds(30))
                      .GET()
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return switch (r.statusCode()) {
        case 200 -> true;
        case 403 -> false;
        default ->
            throw new VerifyException(
                "GET " + path + " as " + session.user() + " answered HTTP " + r.statusCode(),
                "look at the jupyter-web-app pod in kubeflow",
                r.body());
      };
    } catch (IOException e) {
      throw new VerifyException(
          "cannot reach " + path + ": " + e.getMessage(), "check the gateway", "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VerifyException("interrupted", "", "");
    }
  }
}
