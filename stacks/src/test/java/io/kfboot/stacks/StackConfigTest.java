package io.kfboot.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.access.AccessConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StackConfigTest {
  static final String INVENTORY =
      """
      {"cluster": "lab",
       "storage": {"mode": "nfs", "nfs": {"server": "server-1"}},
       "hosts": [{"name": "server-1", "address": "10.0.0.11", "role": "server"},
                 {"name": "gpu-1", "address": "10.0.0.21", "role": "agent", "gpu": true}]}
      """;

  @Test
  void theInventoryIsReadByTheSameLoaderAsTheCliAndTheTokenComesFromSecretConfig() {
    StackConfig c =
        StackConfig.parse(
            Map.of("inventory", INVENTORY, "components", "[\"pipelines\", \"katib\"]"),
            Set.of("k3sToken", "sshPrivateKey"),
            Path.of("."));
    assertThat(c.inventory().servers()).extracting(h -> h.name()).containsExactly("server-1");
    assertThat(c.inventory().k3s().token().env()).isEqualTo(StackConfig.TOKEN_ENV);
    assertThat(c.storage().nfs().address()).isEqualTo("10.0.0.11");
    assertThat(c.wantsGpu()).as("a GPU host").isTrue();
    assertThat(c.components()).containsExactly("pipelines", "katib");
    assertThat(c.adminEmail()).isEqualTo(StackConfig.DEFAULT_ADMIN_EMAIL);
  }

  @Test
  void authIsAnObjectOfItsOwnOrTheInventorysAndNeverBoth() {
    String auth =
        "{\"issuer\": \"https://kf.lab.example/dex\", \"users\": [{\"email\":"
            + " \"ann@lab.example\"}], \"connectors\": [{\"type\": \"oidc\", \"id\": \"sso\","
            + " \"config\": {\"issuer\": \"https://sso.lab.example\", \"clientID\": \"kf\","
            + " \"clientSecret\": {\"env\": \"SSO_SECRET\"}}}]}";
    StackConfig own = StackConfig.parse(Map.of("auth", auth), Set.of("kubeconfig"), Path.of("."));
    var access = AccessConfigLoader.parse(own.accessYaml(), "x", Path.of("."));
    assertThat(access.auth().issuer()).isEqualTo("https://kf.lab.example/dex");
    assertThat(access.auth().connector("sso").orElseThrow().secrets()).containsKey("clientSecret");

    String withAuth =
        INVENTORY.replace("\"cluster\": \"lab\",", "\"cluster\": \"lab\", \"auth\": " + auth + ",");
    StackConfig fromInventory =
        StackConfig.parse(
            Map.of("inventory", withAuth), Set.of("k3sToken", "sshPrivateKey"), Path.of("."));
    assertThat(fromInventory.accessYaml()).isNotNull();

    assertThatThrownBy(
            () ->
                StackConfig.parse(
                    Map.of("inventory", withAuth, "auth", auth),
                    Set.of("k3sToken", "sshPrivateKey"),
                    Path.of(".")))
        .hasMessageContaining("kfboot:auth and the auth: of kfboot:inventory exclude each other");
    assertThatThrownBy(
            () ->
                StackConfig.parse(
                    Map.of("auth", auth.replace("{\"env\": \"SSO_SECRET\"}", "\"hunter2\"")),
                    Set.of("kubeconfig"),
                    Path.of(".")))
        .hasMessageContaining("clientSecret is a secret and may not be written inline")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void gatewayAndProfilesComeFromTheConfigBesideTheInventorysAuth() {
    String withAuth =
        INVENTORY.replace(
            "\"cluster\": \"lab\",",
            "\"cluster\": \"lab\", \"auth\": {\"users\": [{\"email\": \"ann@lab.example\"}]},");
    StackConfig c =
        StackConfig.parse(
            Map.of(
                "inventory",
                withAuth,
                "gateway",
                "{\"expose\": \"loadBalancer\", \"host\": \"kubeflow.lab.example\","
                    + " \"tls\": {\"mode\": \"selfSigned\"}}",
                "profiles",
                "[{\"name\": \"team-a\", \"owner\": \"ann@lab.example\"}]"),
            Set.of("k3sToken", "sshPrivateKey"),
            Path.of("."));
    var access = AccessConfigLoader.parse(c.accessYaml(), "x", Path.of("."));
    assertThat(access.auth().users()).hasSize(1);
    assertThat(access.gateway().https()).isTrue();
    assertThat(access.profiles()).extracting(p -> p.name()).containsExactly("team-a");
    assertThat(KubeflowStack.gateway(c))
        .startsWith("https://kubeflow.lab.example")
        .contains("kfboot access");

    String withGateway =
        INVENTORY.replace(
            "\"cluster\": \"lab\",",
            "\"cluster\": \"lab\", \"gateway\": {\"expose\": \"port-forward\"},");
    assertThatThrownBy(
            () ->
                StackConfig.parse(
                    Map.of("inventory", withGateway, "gateway", "{\"expose\": \"port-forward\"}"),
                    Set.of("k3sToken", "sshPrivateKey"),
                    Path.of(".")))
        .hasMessageContaining(
            "kfboot:gateway and the gateway: of kfboot:inventory exclude each other");
  }

  @Test
  void externalStoresAreConfigKeysToo() {
    String pipelines =
        "{\"database\": {\"external\": {\"host\": \"db.lab.example\", \"user\": \"kfp\","
            + " \"passwordRef\": {\"env\": \"KFP_DB_PASSWORD\"}}}}";
    StackConfig c =
        StackConfig.parse(Map.of("pipelines", pipelines), Set.of("kubeconfig"), Path.of("."));
    assertThat(
            AccessConfigLoader.parseStores(c.accessYaml(), "x", Path.of("."))
                .pipelinesDb()
                .orElseThrow()
                .host())
        .isEqualTo("db.lab.example");
    assertThatThrownBy(
            () ->
                StackConfig.parse(
                    Map.of(
                        "pipelines",
                        pipelines.replace("{\"env\": \"KFP_DB_PASSWORD\"}", "\"hunter2\"")),
                    Set.of("kubeconfig"),
                    Path.of(".")))
        .hasMessageContaining("passwordRef is a secret and may not be written inline")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void everyProblemIsNamedWithItsFixAtOnce() {
    String withToken =
        INVENTORY.replace(
            "\"cluster\": \"lab\",",
            "\"cluster\": \"lab\", \"k3s\": {\"token\": {\"env\": \"T\"}},");
    assertThatThrownBy(
            () ->
                StackConfig.parse(
                    Map.of("inventory", withToken, "gpu", "yes"),
                    Set.of("kubeconfig"),
                    Path.of(".")))
        .isInstanceOfSatisfying(
            StackConfigException.class,
            e ->
                assertThat(e.problems())
                    .containsExactlyInAnyOrder(
                        "kfboot:inventory sets k3s.token; in a stack the join token is the secret"
                            + " config key kfboot:k3sToken (pulumi config set --secret"
                            + " kfboot:k3sToken ...)",
                        "hosts need the join token: pulumi config set --secret kfboot:k3sToken"
                            + " \"$(openssl rand -hex 32)\"",
                        "hosts are reached over SSH: pulumi config set --secret"
                            + " kfboot:sshPrivateKey < ~/.ssh/id_ecdsa",
                        "kfboot:kubeconfig and kfboot:inventory exclude each other: the hosts'"
                            + " cluster gives its own kubeconfig",
                        "kfboot:gpu must be true or false, not 'yes'"));
    String badHost = INVENTORY.replace("\"role\": \"agent\"", "\"role\": \"worker\"");
    assertThatThrownBy(
            () ->
                StackConfig.parse(
                    Map.of("inventory", badHost),
                    Set.of("k3sToken", "sshPrivateKey"),
                    Path.of(".")))
        .hasMessageContaining("role 'worker' is neither server nor agent");
  }

  @Test
  void anInventoryWrittenAsYamlIsReportedAtTheLinesTheUserWrote() {
    String yaml =
        """
        cluster: lab
        hosts:
          - {name: server-1, address: 10.0.0.11, role: server}
          - {name: agent-1, address: 10.0.0.21, role: worker}
        storage: {mode: nfs, nfs: {server: server-1}}
        """;
    assertThatThrownBy(
            () ->
                StackConfig.parse(
                    Map.of("inventory", yaml, "components", "[pipelines, [katib]]"),
                    Set.of("k3sToken", "sshPrivateKey"),
                    Path.of(".")))
        .isInstanceOfSatisfying(
            StackConfigException.class,
            e ->
                assertThat(e.problems())
                    .anyMatch(p -> p.contains("line 4: role 'worker' is neither server nor agent"))
                    .anyMatch(p -> p.startsWith("kfboot:components")));
    StackConfig ok =
        StackConfig.parse(
            Map.of("inventory", yaml.replace("worker", "agent"), "without", "katib,kserve"),
            Set.of("k3sToken", "sshPrivateKey"),
            Path.of("."));
    assertThat(ok.inventory().k3s().token().env())
        .as("no k3s section: the token is the stack's secret")
        .isEqualTo(StackConfig.TOKEN_ENV);
    assertThat(ok.inventoryYaml()).contains(StackConfig.TOKEN_ENV);
    assertThat(ok.without()).containsExactly("katib", "kserve");
  }

  @Test
  void valuesPulumiCannotSerializeAreConverted() {
    Object converted =
        PulumiValues.of(Map.of("max", 4294967295L, "small", 3L, "list", List.of(1.5f), "n", 7));
    assertThat(converted)
        .isEqualTo(Map.of("max", 4.294967295E9, "small", 3, "list", List.of(1.5), "n", 7));
  }
}
