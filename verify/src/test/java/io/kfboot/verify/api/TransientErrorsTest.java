package io.kfboot.verify.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransientErrorsTest {
  private static KubernetesClientException status(int code, String message) {
    return new KubernetesClientException(
        new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @ParameterizedTest
  @ValueSource(ints = {409, 429, 500, 502, 503, 504})
  void overloadAndRacesAreTransient(int code) {
    assertThat(TransientErrors.isTransient(status(code, "busy"))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 422})
  void realAnswersAreNot(int code) {
    assertThat(TransientErrors.isTransient(status(code, "no"))).isFalse();
  }

  @Test
  void aWebhookWithoutBackendIsTransientAWebhookThatDeniesIsNot() {
    assertThat(
            TransientErrors.isTransient(
                status(
                    500,
                    "Internal error occurred: failed calling webhook \"webhook.cert-manager.io\":"
                        + " failed to call webhook: Post"
                        + " \"https://cert-manager-webhook.cert-manager.svc:443/validate\": no"
                        + " endpoints available for service \"cert-manager-webhook\"")))
        .isTrue();
    assertThat(
            TransientErrors.isTransient(
                status(
                    400,
                    "failed calling webhook \"x\": dial tcp 10.43.0.5:443: connect: connection"
                        + " refused")))
        .isTrue();
    assertThat(
            TransientErrors.isTransient(
                status(
                    500,
                    "admission webhook \"validation.webhook.serving.knative.dev\" denied the"
                        + " request: bad")))
        .isFalse();
  }

  @Test
  void brokenConnectionsAreTransientWhereverTheyAreWrapped() {
    assertThat(
            TransientErrors.isTransient(
                new KubernetesClientException(
                    "Operation failed", new ConnectException("Connection refused"))))
        .isTrue();
    assertThat(
            TransientErrors.isTransient(new RuntimeException(new IOException("Connection reset"))))
        .isTrue();
    assertThat(TransientErrors.isTransient(new IllegalStateException("bug"))).isFalse();
    // an answer the client could not read as HTTP: no status code at all
    assertThat(
            TransientErrors.isTransient(
                new KubernetesClientException(
                    "Multiple Content-Length values found: [2, 7]",
                    new IllegalArgumentException("Multiple Content-Length values found: [2, 7]"))))
        .isTrue();
  }
}
