package io.kfboot.verify.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.verify.VerifyException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logging in over HTTPS with Secure cookies, and asking for a profile's namespace. */
class HttpsGatewayTest {
  static final String EMAIL = "admin@example.org";
  static final String PASSWORD = "generated-Pa55word";

  @TempDir Path tmp;

  @Test
  void logsInOverHttpsTrustingTheExportedCa() throws Exception {
    TestTls tls = TestTls.make(tmp, "gateway", "ip:127.0.0.1");
    try (FakeKubeflowGateway gw = new FakeKubeflowGateway(EMAIL, PASSWORD, tls)) {
      assertThat(gw.url().getScheme()).isEqualTo("https");
      DexLogin.Session s =
          new DexLogin(GatewayEndpoint.trusting(gw.url(), tls.pem()), Duration.ofSeconds(10))
              .login(EMAIL, PASSWORD);
      assertThat(s.user()).isEqualTo(EMAIL);
      assertThat(gw.refused).isEmpty();
    }
  }

  @Test
  void withoutTheCaTheHandshakeFailsAndTheFixNamesTheCaFile() throws Exception {
    TestTls tls = TestTls.make(tmp, "gateway", "ip:127.0.0.1");
    TestTls other = TestTls.make(tmp, "other", "ip:127.0.0.1");
    try (FakeKubeflowGateway gw = new FakeKubeflowGateway(EMAIL, PASSWORD, tls)) {
      assertThatThrownBy(
              () ->
                  new DexLogin(GatewayEndpoint.of(gw.url()), Duration.ofSeconds(10))
                      .login(EMAIL, PASSWORD))
          .isInstanceOf(VerifyException.class)
          .hasMessageContaining("TLS handshake")
          .satisfies(e -> assertThat(((VerifyException) e).fix()).contains("--gateway-ca"));
      assertThatThrownBy(
              () ->
                  new DexLogin(
                          GatewayEndpoint.trusting(gw.url(), other.pem()), Duration.ofSeconds(10))
                      .login(EMAIL, PASSWORD))
          .isInstanceOf(VerifyException.class)
          .satisfies(e -> assertThat(((VerifyException) e).fix()).contains(other.pem().toString()));
    }
  }

  @Test
  void aCaFileWithoutCertificatesIsRefused() throws Exception {
    Path empty = Files.writeString(tmp.resolve("ca.pem"), "no certificate here\n");
    assertThatThrownBy(() -> GatewayEndpoint.trusting(URI.create("https://127.0.0.1"), empty))
        .isInstanceOf(VerifyException.class)
        .hasMessageContaining(empty.toString());
  }

  @Test
  void aContributorReachesTheProfileAndANonMemberGets403() throws Exception {
    try (FakeKubeflowGateway gw =
        new FakeKubeflowGateway(EMAIL, PASSWORD)
            .withUser("bob@example.org", "bob-Pa55word")
            .authorizing((user, ns) -> ns.equals("team-a") && user.equals(EMAIL))) {
      DexLogin.Session alice =
          new DexLogin(gw.url(), Duration.ofSeconds(10)).login(EMAIL, PASSWORD);
      DexLogin.Session bob =
          new DexLogin(gw.url(), Duration.ofSeconds(10)).login("bob@example.org", "bob-Pa55word");
      assertThat(ProfileAccess.allowed(alice, "team-a")).isTrue();
      assertThat(ProfileAccess.allowed(bob, "team-a")).isFalse();
      assertThat(ProfileAccess.allowed(alice, "team-b")).isFalse();
    }
  }
}
