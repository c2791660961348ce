package io.kfboot.components.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.components.check.CheckResult;
import io.kfboot.components.testing.OidcProvider;
import io.kfboot.components.testing.Slapd;
import io.kfboot.core.ExitCategory;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kfboot auth check} for OIDC, against a loopback discovery endpoint over real TLS. */
class OidcCheckTest {
  static final String DEX = "https://kubeflow.lab.example/dex";
  static final OidcCheck CHECK = new OidcCheck(Duration.ofSeconds(20));

  @TempDir Path dir;

  static Connector oidc(String issuer, Path ca) {
    String text =
        "auth:\n"
            + "  connectors:\n"
            + "    - type: oidc\n"
            + "      id: keycloak\n"
            + (ca == null ? "" : "      rootCAFile: " + ca + "\n")
            + "      config:\n"
            + "        issuer: "
            + issuer
            + "\n"
            + "        clientID: kubeflow-oidc-authservice\n"
            + "        clientSecret: {env: KEYCLOAK_SECRET}\n"
            + "        scopes: [openid, email, offline_access]\n";
    return AuthConfigReaderTest.parse(text).auth().connectors().get(0);
  }

  @Test
  void theProvidersDiscoveryDocumentNamesTheConfiguredIssuer() throws Exception {
    try (OidcProvider idp = OidcProvider.start(dir, null)) {
      CheckResult r = CHECK.check(oidc(idp.issuer, idp.caFile), DEX);

      assertThat(r.passed()).as(String.valueOf(r.problem())).isTrue();
      assertThat(r.findings())
          .contains("redirect URI to register at the provider: " + DEX + "/callback")
          .anyMatch(
              f -> f.contains("token endpoint " + idp.issuer + "/protocol/openid-connect/token"));
      assertThat(r.warnings())
          .containsExactly(
              "scope 'offline_access' is not among the provider's scopes_supported [openid,"
                  + " profile, email, groups]");
    }
  }

  @Test
  void aTrailingSlashIsAnotherIssuer() throws Exception {
    try (OidcProvider idp = OidcProvider.start(dir, null)) {
      CheckResult r = CHECK.check(oidc(idp.issuer + "/", idp.caFile), DEX);
      assertThat(r.passed()).isFalse();
      assertThat(r.problem())
          .isEqualTo(
              "auth.connectors[keycloak].config.issuer '"
                  + idp.issuer
                  + "/' is not the issuer the provider names: '"
                  + idp.issuer
                  + "'");
      assertThat(r.fix()).startsWith("set issuer to '" + idp.issuer + "' exactly");
    }
  }

  @Test
  void anUntrustedCertificateAsksForTheCa() throws Exception {
    try (OidcProvider idp = OidcProvider.start(dir, null)) {
      CheckResult r = CHECK.check(oidc(idp.issuer, null), DEX);
      assertThat(r.passed()).isFalse();
      assertThat(r.problem())
          .startsWith("auth.connectors[keycloak].config.issuer: TLS to " + idp.issuer);
      assertThat(r.fix()).startsWith("give rootCAFile");
      assertThat(r.category()).isEqualTo(ExitCategory.NETWORK);
    }
  }

  @Test
  void aWrongPathIsNotTheDiscoveryDocument() throws Exception {
    try (OidcProvider idp = OidcProvider.start(dir, null)) {
      CheckResult r =
          CHECK.check(oidc(idp.issuer.replace("/realms/kubeflow", "/auth"), idp.caFile), DEX);
      assertThat(r.passed()).isFalse();
      assertThat(r.problem()).endsWith("answered HTTP 404, not the discovery document");
      assertThat(r.fix()).contains("Keycloak: https://HOST/realms/REALM");
    }
  }

  @Test
  void anUnreachableProviderIsANetworkProblem() throws Exception {
    CheckResult r =
        CHECK.check(oidc("https://127.0.0.1:" + Slapd.freePort() + "/realms/x", null), DEX);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .contains("cannot reach https://127.0.0.1:")
        .endsWith("(connection refused)");
    assertThat(r.category()).isEqualTo(ExitCategory.NETWORK);
  }

  @Test
  void anInClusterIssuerCannotBeARedirectTarget() {
    CheckResult r = CHECK.check(oidc("https://idp.example", null), AuthConfig.IN_CLUSTER_ISSUER);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .isEqualTo(
            "auth.connectors[keycloak]: the provider would send browsers back to"
                + " http://dex.auth.svc.cluster.local:5556/dex/callback, a name only the cluster"
                + " resolves");
    assertThat(r.fix()).contains("--issuer");
  }

  @Test
  void anHttpRedirectOutsideLocalhostIsAWarning() throws Exception {
    try (OidcProvider idp = OidcProvider.start(dir, null)) {
      CheckResult r = CHECK.check(oidc(idp.issuer, idp.caFile), "http://10.0.0.5/dex");
      assertThat(r.passed()).isTrue();
      assertThat(r.warnings())
          .anyMatch(w -> w.startsWith("redirect URI http://10.0.0.5/dex/callback is plain http"));
    }
  }
}
