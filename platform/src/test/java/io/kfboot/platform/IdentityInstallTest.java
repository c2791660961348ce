package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.auth.IdentityPatch;
import io.kfboot.components.testing.Slapd;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.verify.check.CheckResult;
import io.kfboot.verify.http.FakeKubeflowGateway;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;
import org.yaml.snakeyaml.Yaml;

/**
 * A team's identity installed end to end: an LDAP connector checked against a real slapd before
 * anything is applied, three static users, and the issuer of the gateway's public address; on the
 * simulated cluster.
 */
class IdentityInstallTest {
  static final String ISSUER = "https://kubeflow.lab.example/dex";

  @TempDir Path tmp;

  /** auth.groups and auth.users of the team: alice and bob generated, carol with her own hash. */
  static String groupsAndUsers(String extraUser) {
    return "  groups:\n"
        + "    ml-team: [alice@lab.example, bob@lab.example]\n"
        + "  users:\n"
        + "    - email: alice@lab.example\n"
        + "    - email: bob@lab.example\n"
        + "    - email: carol@lab.example\n"
        + "      hash: \"$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72\"\n"
        + extraUser;
  }

  Path inventory(Slapd slapd, String extraUser) throws Exception {
    String text =
        "cluster: lab\n"
            + "k3s:\n"
            + "  token: {env: K3S_TOKEN}\n"
            + "hosts:\n"
            + "  - {name: server-1, address: 10.0.0.11, role: server}\n"
            + "auth:\n"
            + "  issuer: "
            + ISSUER
            + "\n"
            + groupsAndUsers(extraUser)
            + "  connectors:\n"
            + slapd.connectorYaml()
            + "profiles:\n"
            + "  - name: team-vision\n"
            + "    owner: alice@lab.example\n"
            + "    resourceQuotaSpec: {hard: {requests.nvidia.com/gpu: \"2\"}}\n"
            + "    contributors: [{group: ml-team, role: edit}, {user: carol@lab.example, role:"
            + " view}]\n";
    Path f = tmp.resolve("inventory.yaml");
    Files.writeString(f, text);
    return f;
  }

  PlatformSettings settings(Path inventory, Path kubeconfig, String bindPassword) {
    return teamSettings(tmp, inventory, kubeconfig, bindPassword);
  }

  /**
   * The team's settings on the fixture v1.10.2, state under {@code tmp}, the bind password in the
   * environment; a null kubeconfig for an offline plan.
   */
  static PlatformSettings teamSettings(
      Path tmp, Path inventory, Path kubeconfig, String bindPassword) {
    SettingsInput in = new SettingsInput();
    in.manifests = Fixtures.tarball(Fixtures.V1_10_2).toString();
    in.inventory = inventory;
    in.kubeconfig = kubeconfig;
    in.adminEmail = "admin@lab.example";
    in.timeout = Duration.ofSeconds(60);
    in.pollInterval = Duration.ofMillis(10);
    in.noWatch = true;
    in.quiet = true;
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", tmp.resolve("home").toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
    env.put("LDAP_BIND_PW", bindPassword);
    return PlatformSettings.resolve(in, env);
  }

  @Test
  void aWrongBindPasswordStopsTheInstallBeforeAnythingThenTheTeamLogsInThroughDex()
      throws Exception {
    Fixtures.kustomize();
    try (Slapd slapd = Slapd.start(Files.createDirectories(tmp.resolve("ldap")));
        SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      Path kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), cluster.kubeconfig());
      cluster.node("server-1", Map.of(), Map.of());
      // the profile controller's namespace (the simulated cluster runs no profile controller)
      client
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName("team-vision")
                  .endMetadata()
                  .build())
          .create();
      Path inventory = inventory(slapd, "");

      assertThatThrownBy(
              () ->
                  new Installation(
                          settings(inventory, kubeconfig, "wrong"), PlatformListener.SILENT)
                      .install())
          .isInstanceOf(KfbootException.class)
          .hasMessageContaining(
              "auth.connectors[corp].config.bindPW: the server refused the bind as "
                  + Slapd.BIND_DN)
          .satisfies(
              e ->
                  assertThat(((KfbootException) e).category())
                      .isEqualTo(ExitCategory.INVALID_INPUT));
      assertThat(client.namespaces().list().getItems())
          .as("nothing applied")
          .extracting(n -> n.getMetadata().getName())
          .containsExactly("team-vision");
      Path credentialsFile = tmp.resolve("config/kfboot/credentials/sim.properties");
      assertThat(credentialsFile).as("no credentials made either").doesNotExist();

      List<String> progress = new CopyOnWriteArrayList<>();
      PlatformListener listener =
          new PlatformListener() {
            @Override
            public void report(String line) {
              progress.add(line);
            }
          };
      Installation.Installed done =
          new Installation(settings(inventory, kubeconfig, Slapd.BIND_PW), listener).install();
      assertThat(progress).anyMatch(l -> l.contains("corp: 3 users under ou=people"));
      assertThat(String.join("\n", progress)).doesNotContain(Slapd.BIND_PW);
      assertThat(done.credentials().newUsers())
          .containsExactly("alice@lab.example", "bob@lab.example");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentialsFile)))
          .isEqualTo("rw-------");
      Properties stored = new Properties();
      try (var r = Files.newBufferedReader(credentialsFile)) {
        stored.load(r);
      }
      String alicePassword = stored.getProperty("user.alice@lab.example.password");

      // what the cluster holds: Dex's config, its secrets, the roll annotation
      ConfigMap dex = client.configMaps().inNamespace("auth").withName("dex").get();
      Map<?, ?> config = new Yaml().load(dex.getData().get("config.yaml"));
      assertThat(config.get("issuer")).isEqualTo(ISSUER);
      assertThat(dex.getData().toString()).doesNotContain(Slapd.BIND_PW, alicePassword);
      Map<?, ?> corp = (Map<?, ?>) ((List<?>) config.get("connectors")).get(0);
      assertThat(corp.get("id")).isEqualTo("corp");
      assertThat(((Map<?, ?>) corp.get("config")).get("bindPW"))
          .isEqualTo("$KFBOOT_DEX_CORP_BINDPW");
      Secret connectors =
          client.secrets().inNamespace("auth").withName(IdentityPatch.CONNECTOR_SECRET).get();
      assertThat(decode(connectors.getData().get("KFBOOT_DEX_CORP_BINDPW")))
          .isEqualTo(Slapd.BIND_PW);
      List<?> users = (List<?>) config.get("staticPasswords");
      assertThat(users).hasSize(4);
      Secret passwords = client.secrets().inNamespace("auth").withName("dex-passwords").get();
      Map<String, String> hashes = new HashMap<>();
      passwords.getData().forEach((k, v) -> hashes.put(k, decode(v)));
      if (passwords.getStringData() != null) {
        hashes.putAll(passwords.getStringData());
      }
      String aliceEnv = (String) ((Map<?, ?>) users.get(1)).get("hashFromEnv");
      assertThat(BCrypt.checkpw(alicePassword, hashes.get(aliceEnv))).isTrue();
      assertThat(
              client.rbac().roleBindings().inNamespace("team-vision").list().getItems().stream()
                  .map(rb -> rb.getMetadata().getName()))
          .as("the profile's contributors, the owner left to the profile controller")
          .containsExactlyInAnyOrder(
              "user-bob-lab-example-clusterrole-edit", "user-carol-lab-example-clusterrole-view");
      String checksum = checksum(client);
      assertThat(checksum).hasSize(64);

      // a rerun changes nothing and shows no password; a new user rolls Dex
      Installation.Installed again =
          new Installation(settings(inventory, kubeconfig, Slapd.BIND_PW), PlatformListener.SILENT)
              .install();
      assertThat(again.credentials().newUsers()).isEmpty();
      assertThat(checksum(client)).isEqualTo(checksum);
      Path more = inventory(slapd, "    - email: dave@lab.example\n");
      Installation.Installed withDave =
          new Installation(settings(more, kubeconfig, Slapd.BIND_PW), PlatformListener.SILENT)
              .install();
      assertThat(withDave.credentials().newUsers()).containsExactly("dave@lab.example");
      assertThat(checksum(client)).isNotEqualTo(checksum);

      // verify: the admin and each static user whose password kfboot made log in through the
      // gateway (carol's hash was given, so her password is not kfboot's to know)
      Properties all = new Properties();
      try (var r = Files.newBufferedReader(credentialsFile)) {
        all.load(r);
      }
      try (FakeKubeflowGateway gateway =
          new FakeKubeflowGateway("admin@lab.example", all.getProperty("adminPassword"))) {
        for (String u : List.of("alice", "bob", "dave")) {
          gateway.withUser(
              u + "@lab.example", all.getProperty("user." + u + "@lab.example.password"));
        }
        List<CheckResult> results = verifyLogins(more, kubeconfig, gateway);
        assertThat(results)
            .filteredOn(r -> r.id().equals("dex-login"))
            .singleElement()
            .satisfies(
                r -> {
                  assertThat(r.status()).as(r.detail()).isEqualTo(CheckResult.Status.PASSED);
                  assertThat(r.detail())
                      .isEqualTo(
                          "logged in as admin@lab.example, alice@lab.example, bob@lab.example,"
                              + " dave@lab.example");
                });
        gateway.withUser("bob@lab.example", "not-bobs-password");
        CheckResult refused =
            verifyLogins(more, kubeconfig, gateway).stream()
                .filter(r -> r.id().equals("dex-login"))
                .findFirst()
                .orElseThrow();
        assertThat(refused.status()).isEqualTo(CheckResult.Status.FAILED);
        assertThat(refused.detail()).contains("static user bob@lab.example cannot log in");
      }
    }
  }

  private List<CheckResult> verifyLogins(Path inventory, Path kubeconfig, FakeKubeflowGateway gw) {
    SettingsInput in = new SettingsInput();
    in.inventory = inventory;
    in.kubeconfig = kubeconfig;
    in.gatewayUrl = gw.url().toString();
    in.quiet = true;
    Map<String, String> env = new HashMap<>();
    env.put("HOME", tmp.resolve("home").toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    PlatformSettings settings = PlatformSettings.resolve(in, env);
    VerifySuite.Options d = VerifySuite.Options.defaults();
    VerifySuite.Options only =
        new VerifySuite.Options(
            List.of("dex-login"),
            List.of(),
            d.namespace(),
            Duration.ofSeconds(60),
            d.poll(),
            1,
            null);
    return new VerifySuite(settings, only, PlatformListener.SILENT).run();
  }

  private static String checksum(KubernetesClient client) {
    Deployment dex = client.apps().deployments().inNamespace("auth").withName("dex").get();
    return dex.getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(IdentityPatch.CHECKSUM_ANNOTATION);
  }

  private static String decode(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }
}
