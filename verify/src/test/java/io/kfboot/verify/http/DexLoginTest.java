package io.kfboot.verify.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.verify.VerifyException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The login flow against a local gateway that behaves like oauth2-proxy and Dex. */
class DexLoginTest {
  static final String EMAIL = "admin@example.org";
  static final String PASSWORD = "generated-Pa55word";

  @Test
  void redirectsToDexLogsInAndTheDashboardSeesTheUser() throws Exception {
    try (FakeKubeflowGateway gw = new FakeKubeflowGateway(EMAIL, PASSWORD)) {
      DexLogin.Session s = new DexLogin(gw.url(), Duration.ofSeconds(10)).login(EMAIL, PASSWORD);
      assertThat(s.user()).isEqualTo(EMAIL);
      assertThat(s.envInfo()).contains("kubeflow-user-example-com");
      assertThat(s.trail())
          .contains(
              "POST /dex/auth/local/login -> 303",
              "GET /oauth2/callback -> 302",
              "GET /api/workgroup/env-info -> 200");
      assertThat(gw.refused).isEmpty();
    }
  }

  @Test
  void theSignInPageTheConnectorChoiceAndTheApprovalAreWalkedThrough() throws Exception {
    try (FakeKubeflowGateway gw = new FakeKubeflowGateway(EMAIL, PASSWORD)) {
      gw.signInPage = true;
      gw.connectorSelection = true;
      gw.approval = true;
      DexLogin.Session s = new DexLogin(gw.url(), Duration.ofSeconds(10)).login(EMAIL, PASSWORD);
      assertThat(s.user()).isEqualTo(EMAIL);
      assertThat(s.trail()).contains("GET / -> 403", "POST /dex/approval -> 303");
      assertThat(gw.refused).isEmpty();
    }
  }

  @Test
  void aWrongPasswordIsNamedWithTheFix() throws Exception {
    try (FakeKubeflowGateway gw = new FakeKubeflowGateway(EMAIL, PASSWORD)) {
      assertThatThrownBy(
              () -> new DexLogin(gw.url(), Duration.ofSeconds(10)).login(EMAIL, "12341234"))
          .isInstanceOfSatisfying(
              VerifyException.class,
              e -> {
                assertThat(e.getMessage()).contains("Dex refused the login of admin@example.org");
                assertThat(e.fix()).contains("credentials file");
                assertThat(e.diagnostics()).contains("POST /dex/auth/local/login -> 200");
              });
    }
  }

  @Test
  void anUnprotectedGatewayFails() throws Exception {
    try (FakeKubeflowGateway gw = new FakeKubeflowGateway(EMAIL, PASSWORD)) {
      gw.unprotected = true;
      assertThatThrownBy(
              () -> new DexLogin(gw.url(), Duration.ofSeconds(10)).login(EMAIL, PASSWORD))
          .hasMessageContaining("without asking anyone to log in");
    }
  }

  @Test
  void anUnreachableGatewayIsNamed() {
    assertThatThrownBy(
            () ->
                new DexLogin(URI.create("http://127.0.0.1:9"), Duration.ofSeconds(2))
                    .login(EMAIL, PASSWORD))
        .isInstanceOf(VerifyException.class)
        .hasMessageContaining("cannot reach http://127.0.0.1:9");
  }

  @Test
  void aNotebookOpensThroughTheGatewayWithTheSessionOnly() throws Exception {
    try (FakeKubeflowGateway gw = new FakeKubeflowGateway(EMAIL, PASSWORD)) {
      DexLogin.Session s = new DexLogin(gw.url(), Duration.ofSeconds(10)).login(EMAIL, PASSWORD);
      assertThat(NotebookProbe.get(s, "kubeflow-user-example-com", "nb"))
          .isEqualTo("Jupyter answered at /notebook/kubeflow-user-example-com/nb/api");
      DexLogin.Session anonymous =
          new DexLogin.Session(EMAIL, "", List.of(), gw.url(), HttpClient.newHttpClient());
      assertThatThrownBy(() -> NotebookProbe.get(anonymous, "kubeflow-user-example-com", "nb"))
          .hasMessageContaining("answered HTTP 302");
    }
  }
}
