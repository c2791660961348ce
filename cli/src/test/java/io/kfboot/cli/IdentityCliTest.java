package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.verify.http.TestTls;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kfboot auth check and plan with a team's auth: (the real servers are the components' tests). */
class IdentityCliTest {
  @TempDir Path tmp;
  private Map<String, String> env;

  @BeforeEach
  void env() {
    env = CliRun.env(tmp);
    env.put("KFBOOT_CACHE_DIR", tmp.resolve("cache").toString());
  }

  private Path inventory(String issuer, String bindPw) throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    caCertificate(tmp.resolve("ldap-ca.pem"));
    String text =
        Files.readString(
                Path.of("").toAbsolutePath().getParent().resolve("docs/examples/team.yaml"))
            .replace("https://kubeflow.lab.example/dex", issuer)
            .replace("ldap.lab.example:636", "127.0.0.1:" + closed)
            .replace("bindPW: {env: LDAP_BIND_PW}", bindPw);
    Path f = tmp.resolve("team.yaml");
    Files.writeString(f, text);
    return f;
  }

  /** A real CA certificate (PEM), made by the JDK's keytool. */
  private void caCertificate(Path pem) throws Exception {
    if (!Files.exists(pem)) {
      Files.copy(TestTls.make(tmp, "lab-ca", "dns:localhost").pem(), pem);
    }
  }

  @Test
  void anUnreachableDirectoryIsExitSevenWithTheFieldAndNoSecret() throws Exception {
    env.put("LDAP_BIND_PW", "s3cret-bind");
    CliRun r =
        CliRun.of(
            env,
            "auth",
            "check",
            "-i",
            inventory("https://kubeflow.lab.example/dex", "bindPW: {env: LDAP_BIND_PW}").toString(),
            "-o",
            "json");
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.NETWORK);
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.get("issuer").asText()).isEqualTo("https://kubeflow.lab.example/dex");
    JsonNode corp = json.get("connectors").get(0);
    assertThat(corp.get("passed").asBoolean()).isFalse();
    assertThat(corp.get("problem").asText())
        .startsWith(
            "auth.connectors[corp].config.host: cannot reach the LDAP server at"
                + " ldaps://127.0.0.1:");
    assertThat(json.get("connectors").get(1).get("id").asText()).isEqualTo("keycloak");
    assertThat(r.out() + r.err()).doesNotContain("s3cret-bind");
  }

  @Test
  void anInlineSecretAndAnInClusterIssuerForConnectorsAreRefused() throws Exception {
    CliRun inline =
        CliRun.of(
            env,
            "auth",
            "check",
            "-i",
            inventory("https://kubeflow.lab.example/dex", "bindPW: hunter2").toString());
    assertThat(inline.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(inline.err())
        .contains("auth.connectors[corp].config.bindPW is a secret and may not be written inline")
        .doesNotContain("hunter2");

    env.put("LDAP_BIND_PW", "x");
    CliRun inCluster =
        CliRun.of(
            env,
            "auth",
            "check",
            "-i",
            inventory("https://kubeflow.lab.example/dex", "bindPW: {env: LDAP_BIND_PW}").toString(),
            "--issuer",
            "http://dex.auth.svc.cluster.local:5556/dex");
    // the OIDC provider would redirect browsers to the issuer; LDAP has no redirect, any issuer
    // does, and the LDAP check fails only for its closed port (the first failure's exit code)
    assertThat(inCluster.code()).isEqualTo(ExitCodes.NETWORK);
    String out = inCluster.out();
    int corp = out.indexOf("corp (ldap)");
    int keycloak = out.indexOf("FAIL  keycloak (oidc)");
    assertThat(corp).as(out).isGreaterThan(0).isLessThan(keycloak);
    assertThat(out.substring(keycloak)).contains("a name only the cluster resolves");
    assertThat(out.substring(corp, keycloak)).doesNotContain("cluster resolves");
  }

  @Test
  void planShowsTheConnectorSecretWithoutNeedingItsValue() throws Exception {
    Fixtures.kustomize();
    String tarball = Fixtures.tarball(Fixtures.V1_10_2).toString();
    CliRun bare =
        CliRun.of(env, "plan", "-q", "--manifests", tarball, "--components", "dex", "-o", "json");
    CliRun team =
        CliRun.of(
            env,
            "plan",
            "-q",
            "--manifests",
            tarball,
            "-i",
            inventory("https://kubeflow.lab.example/dex", "bindPW: {env: LDAP_BIND_PW}").toString(),
            "--components",
            "dex",
            "-o",
            "json");
    assertThat(bare.code()).as(bare.err()).isZero();
    assertThat(team.code())
        .as("LDAP_BIND_PW is not set, and plan needs it not: " + team.err())
        .isZero();
    assertThat(dexObjects(team))
        .as("the Secret kfboot-dex-connectors joins Dex's objects")
        .isEqualTo(dexObjects(bare) + 1);
  }

  private static int dexObjects(CliRun r) throws Exception {
    for (JsonNode c : new ObjectMapper().readTree(r.out()).get("components")) {
      if (c.get("id").asText().equals("dex")) {
        return c.get("objects").asInt();
      }
    }
    throw new AssertionError("no dex component in " + r.out());
  }
}
