package io.kfboot.components.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import io.kfboot.manifests.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.security.crypto.bcrypt.BCrypt;
import org.yaml.snakeyaml.Yaml;

/** The identity settings on the real renders of the fixture releases. */
class IdentityPatchTest {
  static final String ISSUER = "https://kubeflow.lab.example/dex";
  static final String BIND_PW = "bind-secret-Zq81";
  static final String CLIENT_SECRET = "keycloak-secret-Xy4u";
  static final Map<String, String> ENV =
      Map.of("LDAP_BIND_PW", BIND_PW, "KEYCLOAK_SECRET", CLIENT_SECRET);

  @TempDir Path tmp;

  static Stream<String> releases() {
    return Stream.of(Fixtures.V1_10_2.tag(), Fixtures.V26_03.tag());
  }

  static AuthConfig teamAuth() {
    String text =
        AuthConfigReaderTest.TEAM.replace(
            "clientSecret: {file: keycloak.secret}", "clientSecret: {env: KEYCLOAK_SECRET}");
    return AuthConfigReaderTest.parse(text).auth();
  }

  static Credentials credentials(AuthConfig auth) {
    return Credentials.generate("admin@example.org", new SecureRandom())
        .withUsers(
            auth.users().stream().filter(StaticUser::generated).map(StaticUser::email).toList(),
            new SecureRandom());
  }

  static InstallPlan patched(String release, AuthConfig auth, Credentials c) {
    InstallPlan plan = CredentialsPatch.apply(SimulatedPlans.of(release), c);
    return IdentityPatch.apply(plan, auth, ISSUER, c, SecretValues.from(ENV));
  }

  @ParameterizedTest
  @MethodSource("releases")
  void oneIssuerInAllThreePlacesAndTheKeysFetchedInTheCluster(String release) {
    AuthConfig auth = teamAuth();
    InstallPlan plan = patched(release, auth, credentials(auth));

    assertThat(IdentityPatchTest.issuers(plan))
        .as("Dex, oauth2-proxy and the gateway's RequestAuthentication")
        .hasSize(3)
        .containsOnly(ISSUER);
    Map<String, Object> rule =
        Trees.map(
            Trees.list(
                    Trees.map(
                            find(plan, "RequestAuthentication", "istio-system", "dex-jwt")
                                .body()
                                .get("spec"))
                        .get("jwtRules"))
                .get(0));
    assertThat(rule.get("jwksUri")).isEqualTo(AuthConfig.IN_CLUSTER_JWKS);
    String cfg = proxyConfig(plan);
    assertThat(cfg)
        .as("oauth2-proxy still redeems and verifies in the cluster")
        .contains("redeem_url = \"http://dex.auth.svc.cluster.local:5556/dex/token\"");
  }

  @ParameterizedTest
  @MethodSource("releases")
  void everyVariableInDexsConfigHasASourceAndNoSecretIsLiteral(String release) {
    AuthConfig auth = teamAuth();
    Credentials c = credentials(auth);
    InstallPlan plan = patched(release, auth, c);
    Map<String, Object> config = dexConfig(plan);

    // the names Dex reads from its environment: $VAR in connectors, hashFromEnv, idEnv, secretEnv
    Set<String> wanted = new HashSet<>();
    Matcher m =
        Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)").matcher(dump(config.get("connectors")));
    while (m.find()) {
      wanted.add(m.group(1));
    }
    assertThat(wanted).hasSize(2);
    for (Object p : Trees.list(config.get("staticPasswords"))) {
      wanted.add((String) Trees.map(p).get("hashFromEnv"));
    }
    for (Object client : Trees.list(config.get("staticClients"))) {
      Trees.map(client)
          .forEach(
              (k, v) -> {
                if (k.endsWith("Env")) {
                  wanted.add((String) v);
                }
              });
    }
    assertThat(envSources(plan)).containsAll(wanted);

    // the static users: admin plus both, hashes in dex-passwords, bcrypt of the right password
    assertThat(config.get("enablePasswordDB")).isEqualTo(true);
    List<Object> users = Trees.list(config.get("staticPasswords"));
    assertThat(users)
        .extracting(u -> Trees.map(u).get("email"))
        .containsExactly("admin@example.org", "alice@example.org", "bob@example.org");
    Map<String, String> passwords = secretValues(find(plan, "Secret", "auth", "dex-passwords"));
    String aliceHash = passwords.get((String) Trees.map(users.get(1)).get("hashFromEnv"));
    assertThat(BCrypt.checkpw(c.users().get("alice@example.org").password(), aliceHash)).isTrue();
    assertThat(passwords.get((String) Trees.map(users.get(2)).get("hashFromEnv")))
        .startsWith("$2y$12$4K/Vkm");

    // the connectors: redirect URI, secrets as variables only
    Map<String, Object> keycloak = connectorConfig(config, "keycloak");
    assertThat(keycloak.get("redirectURI")).isEqualTo(ISSUER + "/callback");
    assertThat(keycloak.get("clientSecret")).isEqualTo("$KFBOOT_DEX_KEYCLOAK_CLIENTSECRET");
    assertThat(connectorConfig(config, "corp").get("bindPW")).isEqualTo("$KFBOOT_DEX_CORP_BINDPW");
    assertThat(secretValues(find(plan, "Secret", "auth", IdentityPatch.CONNECTOR_SECRET)))
        .containsEntry("KFBOOT_DEX_CORP_BINDPW", BIND_PW)
        .containsEntry("KFBOOT_DEX_KEYCLOAK_CLIENTSECRET", CLIENT_SECRET);
    for (String secret :
        List.of(BIND_PW, CLIENT_SECRET, c.users().get("alice@example.org").password())) {
      String b64 = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
      for (K8sObject o : objects(plan)) {
        boolean holder =
            o.kind().equals("Secret") && o.name().equals(IdentityPatch.CONNECTOR_SECRET);
        if (!holder) {
          assertThat(o.body().toString()).as(o.key().toString()).doesNotContain(secret, b64);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("releases")
  void dexAndOauth2ProxyRollWhenTheirConfigChangesAndOnlyThen(String release) {
    AuthConfig auth = teamAuth();
    Credentials c = credentials(auth);
    String first = checksum(patched(release, auth, c), "auth", "dex");
    String again = checksum(patched(release, auth, c), "auth", "dex");
    AuthConfig fewer = new AuthConfig(null, auth.users(), auth.connectors().subList(0, 1));
    String changed = checksum(patched(release, fewer, c), "auth", "dex");
    assertThat(first).hasSize(64).isEqualTo(again).isNotEqualTo(changed);

    String proxy = checksum(patched(release, auth, c), "oauth2-proxy", "oauth2-proxy");
    InstallPlan otherIssuer =
        IdentityPatch.apply(
            CredentialsPatch.apply(SimulatedPlans.of(release), c),
            auth,
            "https://other.lab.example/dex",
            c,
            SecretValues.from(ENV));
    assertThat(checksum(otherIssuer, "oauth2-proxy", "oauth2-proxy")).isNotEqualTo(proxy);
  }

  @Test
  void withoutAuthTheIssuerStaysInTheClusterAndNoJwksUriIsAdded() {
    Credentials c = Credentials.generate("admin@example.org", new SecureRandom());
    InstallPlan plan =
        IdentityPatch.apply(
            CredentialsPatch.apply(SimulatedPlans.v1102(), c),
            AuthConfig.DEFAULTS,
            AuthConfig.IN_CLUSTER_ISSUER,
            c,
            SecretValues.from(Map.of()));
    assertThat(issuers(plan)).hasSize(3).containsOnly(AuthConfig.IN_CLUSTER_ISSUER);
    assertThat(find(plan, "RequestAuthentication", "istio-system", "dex-jwt").body().toString())
        .doesNotContain("jwksUri");
    assertThat(objects(plan)).noneMatch(o -> o.name().equals(IdentityPatch.CONNECTOR_SECRET));
  }

  @Test
  void anUnsetSecretVariableIsRefusedNamingTheFieldNotAValue() {
    AuthConfig auth = teamAuth();
    Credentials c = credentials(auth);
    assertThatThrownBy(
            () ->
                IdentityPatch.apply(
                    CredentialsPatch.apply(SimulatedPlans.v1102(), c),
                    auth,
                    ISSUER,
                    c,
                    SecretValues.from(Map.of("LDAP_BIND_PW", BIND_PW))))
        .isInstanceOf(KfbootException.class)
        .hasMessage(
            "auth.connectors[keycloak].config.clientSecret names environment variable"
                + " KEYCLOAK_SECRET, which is not set")
        .hasMessageNotContaining(BIND_PW);
  }

  @Test
  void aCaFileReachesDexAsDataForLdapAndAsAMountedFileForOidc() throws Exception {
    Path ca = tmp.resolve("ca.pem");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    AuthConfig base = teamAuth();
    List<Connector> withCa = new ArrayList<>();
    for (Connector k : base.connectors()) {
      withCa.add(new Connector(k.type(), k.id(), k.name(), k.config(), k.secrets(), ca));
    }
    AuthConfig auth = new AuthConfig(null, base.users(), withCa);
    InstallPlan plan = patched(Fixtures.V1_10_2.tag(), auth, credentials(auth));
    Map<String, Object> config = dexConfig(plan);
    assertThat(
            new String(
                Base64.getDecoder()
                    .decode((String) connectorConfig(config, "corp").get("rootCAData")),
                StandardCharsets.UTF_8))
        .isEqualTo(Files.readString(ca));
    assertThat(connectorConfig(config, "keycloak").get("rootCAs"))
        .isEqualTo(List.of("/etc/dex/kfboot-ca/keycloak.pem"));
    K8sObject caMap = find(plan, "ConfigMap", "auth", IdentityPatch.CA_CONFIGMAP);
    assertThat(Trees.map(caMap.body().get("data"))).containsKey("keycloak.pem");
    assertThat(find(plan, "Deployment", "auth", "dex").body().toString())
        .contains("mountPath=/etc/dex/kfboot-ca", "name=" + IdentityPatch.CA_CONFIGMAP);
  }

  @Test
  void v181sOidcAuthserviceGetsTheIssuerAndUsersGetInlineHashes() {
    // the v1.8.1 shapes (common/dex/base/config-map.yaml with an inline hash, and
    // common/oidc-client/oidc-authservice/base/params.env), as the research notes record them
    K8sObject dex =
        K8sObject.of(
            K8sObject.map(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                K8sObject.map("name", "dex", "namespace", "auth"),
                "data",
                K8sObject.map(
                    "config.yaml",
                    "issuer: http://dex.auth.svc.cluster.local:5556/dex\n"
                        + "staticPasswords:\n- email: user@example.com\n  hash: x\n"
                        + "  username: user\n  userID: '15841185641784'\n")));
    K8sObject params =
        K8sObject.of(
            K8sObject.map(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                K8sObject.map(
                    "name", "oidc-authservice-parameters-2hg5k7", "namespace", "istio-system"),
                "data",
                K8sObject.map(
                    "OIDC_PROVIDER",
                    AuthConfig.IN_CLUSTER_ISSUER,
                    "OIDC_SCOPES",
                    "profile email groups")));
    InstallPlan v1102 = SimulatedPlans.v1102();
    PlannedComponent first = v1102.components().get(0);
    InstallPlan plan =
        new InstallPlan(
            v1102.tree(),
            v1102.kustomize(),
            List.of(first.withObjects(List.of(dex, params))),
            List.of());
    AuthConfig auth = new AuthConfig(null, teamAuth().users(), List.of());
    Credentials c = credentials(auth);
    InstallPlan patched = IdentityPatch.apply(plan, auth, ISSUER, c, SecretValues.from(ENV));
    List<K8sObject> out = patched.components().get(0).objects();
    assertThat(Trees.map(out.get(1).body().get("data")).get("OIDC_PROVIDER")).isEqualTo(ISSUER);
    Map<String, Object> config = IdentityPatch.readConfig(out.get(0));
    Map<String, Object> alice = Trees.map(Trees.list(config.get("staticPasswords")).get(1));
    assertThat(alice).containsEntry("email", "alice@example.org").doesNotContainKey("hashFromEnv");
    assertThat(
            BCrypt.checkpw(
                c.users().get("alice@example.org").password(), (String) alice.get("hash")))
        .isTrue();
  }

  // --- reading the plan

  /** The issuer in each place that holds one. */
  static List<String> issuers(InstallPlan plan) {
    List<String> out = new ArrayList<>();
    out.add((String) dexConfig(plan).get("issuer"));
    Matcher m =
        Pattern.compile("(?m)^oidc_issuer_url\\s*=\\s*\"([^\"]*)\"").matcher(proxyConfig(plan));
    if (m.find()) {
      out.add(m.group(1));
    }
    K8sObject ra = find(plan, "RequestAuthentication", "istio-system", "dex-jwt");
    for (Object rule : Trees.list(Trees.map(ra.body().get("spec")).get("jwtRules"))) {
      out.add((String) Trees.map(rule).get("issuer"));
    }
    return out;
  }

  static Map<String, Object> dexConfig(InstallPlan plan) {
    return IdentityPatch.readConfig(find(plan, "ConfigMap", "auth", "dex"));
  }

  static String proxyConfig(InstallPlan plan) {
    return objects(plan).stream()
        .filter(o -> o.kind().equals("ConfigMap") && "oauth2-proxy".equals(o.namespace()))
        .map(o -> Trees.map(o.body().get("data")).get("oauth2_proxy.cfg"))
        .filter(String.class::isInstance)
        .map(String.class::cast)
        .findFirst()
        .orElseThrow();
  }

  static Map<String, Object> connectorConfig(Map<String, Object> config, String id) {
    return Trees.list(config.get("connectors")).stream()
        .map(Trees::map)
        .filter(c -> id.equals(c.get("id")))
        .map(c -> Trees.map(c.get("config")))
        .findFirst()
        .orElseThrow();
  }

  /** Every variable the Dex container has: env names and every key of its envFrom Secrets. */
  static Set<String> envSources(InstallPlan plan) {
    Map<String, Object> pod =
        Trees.map(
            Trees.map(
                    Trees.map(find(plan, "Deployment", "auth", "dex").body().get("spec"))
                        .get("template"))
                .get("spec"));
    Set<String> names = new HashSet<>();
    for (Object container : Trees.list(pod.get("containers"))) {
      for (Object e : Trees.list(Trees.map(container).get("env"))) {
        names.add((String) Trees.map(e).get("name"));
      }
      for (Object from : Trees.list(Trees.map(container).get("envFrom"))) {
        String secret = (String) Trees.map(Trees.map(from).get("secretRef")).get("name");
        names.addAll(secretValues(find(plan, "Secret", "auth", secret)).keySet());
      }
    }
    return names;
  }

  static Map<String, String> secretValues(K8sObject secret) {
    Map<String, String> out = new TreeMap<>();
    Trees.map(secret.body().get("stringData")).forEach((k, v) -> out.put(k, String.valueOf(v)));
    Trees.map(secret.body().get("data"))
        .forEach(
            (k, v) ->
                out.put(
                    k,
                    new String(
                        Base64.getDecoder().decode(String.valueOf(v)), StandardCharsets.UTF_8)));
    return out;
  }

  static String checksum(InstallPlan plan, String ns, String name) {
    Map<String, Object> template =
        Trees.map(Trees.map(find(plan, "Deployment", ns, name).body().get("spec")).get("template"));
    return (String)
        Trees.map(Trees.map(template.get("metadata")).get("annotations"))
            .get(IdentityPatch.CHECKSUM_ANNOTATION);
  }

  static List<K8sObject> objects(InstallPlan plan) {
    return plan.components().stream().flatMap(c -> c.objects().stream()).toList();
  }

  static K8sObject find(InstallPlan plan, String kind, String ns, String name) {
    Optional<K8sObject> o =
        objects(plan).stream()
            .filter(x -> x.kind().equals(kind) && ns.equals(x.namespace()) && x.name().equals(name))
            .findFirst();
    assertThat(o).as(kind + " " + ns + "/" + name).isPresent();
    return o.get();
  }

  static String dump(Object o) {
    return new Yaml().dump(o);
  }
}
