package io.kfboot.components.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.manifests.parse.K8sObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;
import org.yaml.snakeyaml.Yaml;

class CredentialsTest {
  @TempDir Path tmp;

  @Test
  void generatedSecretsAreFreshVerifiableAndNeverPrinted() {
    Credentials a = Credentials.generate("admin@example.org", new SecureRandom());
    Credentials b = Credentials.generate("admin@example.org", new SecureRandom());
    assertThat(BCrypt.checkpw(a.adminPassword(), a.passwordHash())).isTrue();
    assertThat(a.passwordHash()).startsWith("$2y$12$");
    assertThat(a.adminPassword()).isNotEqualTo(b.adminPassword()).hasSizeGreaterThanOrEqualTo(20);
    assertThat(a.cookieSecret()).hasSize(32);
    assertThat(a.toString())
        .doesNotContain(
            a.adminPassword(), a.oidcClientSecret(), a.cookieSecret(), a.passwordHash());
  }

  @Test
  void theFileIsPrivateAndReusedForTheSameUser() throws Exception {
    Path file = tmp.resolve("nested/credentials");
    Credentials.Loaded first =
        Credentials.loadOrCreate(file, "admin@example.org", new SecureRandom());
    Credentials.Loaded second =
        Credentials.loadOrCreate(file, "admin@example.org", new SecureRandom());

    assertThat(first.created()).isTrue();
    assertThat(second.created()).isFalse();
    assertThat(second.credentials().adminPassword()).isEqualTo(first.credentials().adminPassword());
    assertThat(second.credentials().passwordHash()).isEqualTo(first.credentials().passwordHash());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThatThrownBy(
            () -> Credentials.loadOrCreate(file, "other@example.org", new SecureRandom()))
        .isInstanceOf(CredentialsException.class)
        .hasMessageContaining("is for admin@example.org")
        .hasMessageNotContaining(first.credentials().adminPassword());
    assertThatThrownBy(
            () -> Credentials.loadOrCreate(tmp.resolve("x"), "not-an-email", new SecureRandom()))
        .isInstanceOf(CredentialsException.class);
  }

  @Test
  void theV1102PlanCarriesTheGeneratedSecretsAndNoUpstreamDefault() {
    InstallPlan plan = SimulatedPlans.v1102();
    Credentials c = Credentials.generate("admin@example.org", new SecureRandom());
    InstallPlan patched = CredentialsPatch.apply(plan, c);

    Map<String, K8sObject> byName = new HashMap<>();
    patched
        .components()
        .forEach(
            pc ->
                pc.objects()
                    .forEach(o -> byName.put(o.kind() + " " + o.namespace() + "/" + o.name(), o)));

    K8sObject passwords = byName.get("Secret auth/dex-passwords");
    String hash =
        (String) ((Map<?, ?>) passwords.body().get("stringData")).get("DEX_USER_PASSWORD");
    assertThat(BCrypt.checkpw(c.adminPassword(), hash)).isTrue();

    K8sObject dex = byName.get("ConfigMap auth/dex");
    Map<?, ?> config =
        new Yaml().load((String) ((Map<?, ?>) dex.body().get("data")).get("config.yaml"));
    Map<?, ?> user = (Map<?, ?>) ((List<?>) config.get("staticPasswords")).get(0);
    assertThat(user.get("email")).isEqualTo("admin@example.org");
    assertThat(user.get("username")).isEqualTo("admin");
    assertThat(config.get("issuer"))
        .as("the rest of Dex's config is kept")
        .isEqualTo("http://dex.auth.svc.cluster.local:5556/dex");

    String dexSecret = decode(byName.get("Secret auth/dex-oidc-client"), "OIDC_CLIENT_SECRET");
    K8sObject proxy =
        byName.entrySet().stream()
            .filter(e -> e.getKey().startsWith("Secret oauth2-proxy/oauth2-proxy"))
            .findFirst()
            .orElseThrow()
            .getValue();
    assertThat(decode(proxy, "client-secret")).isEqualTo(dexSecret).isEqualTo(c.oidcClientSecret());
    assertThat(decode(proxy, "cookie-secret")).isEqualTo(c.cookieSecret());

    K8sObject profile = byName.get("Profile null/kubeflow-user-example-com");
    assertThat(((Map<?, ?>) ((Map<?, ?>) profile.body().get("spec")).get("owner")).get("name"))
        .isEqualTo("admin@example.org");
    // the unpatched plan does hold the defaults, so the check above is not vacuous
    assertThat(
            plan.components().stream()
                .flatMap(pc -> pc.objects().stream())
                .anyMatch(
                    o -> o.body().toString().contains(CredentialsPatch.UPSTREAM_DEFAULTS.get(0))))
        .isTrue();
  }

  private static String decode(K8sObject secret, String key) {
    return new String(
        Base64.getDecoder().decode((String) ((Map<?, ?>) secret.body().get("data")).get(key)),
        StandardCharsets.UTF_8);
  }

  @Test
  void v181sOidcAuthserviceSecretGetsTheGeneratedClientSecret() {
    // as kustomize's secretGenerator renders common/oidc-client/oidc-authservice/base in v1.8.1
    Map<String, Object> body =
        K8sObject.map(
            "apiVersion",
            "v1",
            "kind",
            "Secret",
            "type",
            "Opaque",
            "metadata",
            K8sObject.map("name", "oidc-authservice-client", "namespace", "istio-system"),
            "data",
            K8sObject.map(
                "CLIENT_ID",
                    Base64.getEncoder()
                        .encodeToString(
                            "kubeflow-oidc-authservice".getBytes(StandardCharsets.UTF_8)),
                "CLIENT_SECRET",
                    Base64.getEncoder()
                        .encodeToString(
                            "pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok"
                                .getBytes(StandardCharsets.UTF_8))));
    K8sObject secret = K8sObject.of(body);
    Credentials c = Credentials.generate("admin@example.org", new SecureRandom());
    K8sObject patched = CredentialsPatch.patch(secret, c);
    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) patched.body().get("data");
    assertThat(
            new String(
                Base64.getDecoder().decode((String) data.get("CLIENT_SECRET")),
                StandardCharsets.UTF_8))
        .isEqualTo(c.oidcClientSecret());
    assertThat(CredentialsPatch.findDefaultIn(patched)).as("no upstream default left").isNull();
    assertThat(CredentialsPatch.findDefaultIn(secret))
        .as("the upstream default is recognised")
        .isNotNull();
  }
}
