package io.kfboot.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.pulumi.core.Output;
import com.pulumi.core.internal.Internal;
import com.pulumi.test.PulumiTest;
import com.pulumi.test.TestResult;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.k3s.ClusterBootstrap;
import io.kfboot.platform.Hosts;
import io.kfboot.stacks.providers.LocalCommand;
import io.kfboot.stacks.providers.RemoteCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host layer under Pulumi's mocks: one resource per host and step, in the order of 'kfboot
 * hosts up'.
 */
class HostLayerTest {
  static final String INVENTORY =
      """
      {"cluster": "lab", "k3s": {"apiEndpoint": "10.0.0.10"},
       "hosts": [{"name": "server-1", "address": "10.0.0.11", "role": "server"},
                 {"name": "server-2", "address": "10.0.0.12", "role": "server"},
                 {"name": "server-3", "address": "10.0.0.13", "role": "server"},
                 {"name": "agent-1", "address": "10.0.0.21", "role": "agent"},
                 {"name": "gpu-1", "address": "10.0.0.22", "role": "agent", "gpu": true}]}
      """;
  static final String KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

  @TempDir Path dir;

  StackHarness run(Map<String, String> extra) throws Exception {
    Path known = Files.writeString(dir.resolve("known_hosts"), "10.0.0.11 " + KEY + "\n");
    Map<String, String> values =
        new LinkedHashMap<>(Map.of("inventory", INVENTORY, "knownHosts", known.toString()));
    values.putAll(extra);
    StackConfig config = StackConfig.parse(values, Set.of("k3sToken", "sshPrivateKey"), dir);
    StackHarness harness = new StackHarness();
    TestResult r =
        harness.run(
            ctx ->
                ctx.export(
                    "kubeconfig",
                    HostLayer.define(
                            config,
                            dir.resolve("inventory.yaml").toString(),
                            "kfboot",
                            Hosts.plan(config.inventory()),
                            Output.ofSecret("K10-never-in-a-command-line"),
                            Output.ofSecret("-----BEGIN OPENSSH PRIVATE KEY-----"),
                            ClusterBootstrap.joinUrl(config.inventory()))
                        .kubeconfig()));
    harness.exceptions = r.exceptions();
    harness.result = r;
    return harness;
  }

  @Test
  void everyStepOfEveryHostIsAResourceInTheOrderOfHostsUp() throws Exception {
    StackHarness h = run(Map.of());
    assertThat(h.exceptions).isEmpty();
    List<StackHarness.Registered> steps = h.ofType(LocalCommand.TYPE);
    assertThat(steps)
        .extracting(StackHarness.Registered::name)
        .contains(
            "server-1-preflight",
            "server-1-sysctl",
            "gpu-1-gpu-driver",
            "gpu-1-nvidia-container-toolkit",
            "agent-1-k3s",
            "server-1-nodes-ready");
    // each step after the one before it on its host
    assertThat(h.byName.get("server-1-network").dependsOn()).containsExactly("server-1-preflight");
    // a new k3s version: the CLI's drained upgrade before any host step, rerun on that only
    StackHarness.Registered upgrade = h.byName.get("k3s-upgrade");
    assertThat(String.valueOf(upgrade.inputs().get("create")))
        .startsWith("kfboot hosts upgrade -i ")
        .contains("--known-hosts ")
        .doesNotContain("--k3s");
    assertThat(String.valueOf(upgrade.inputs().get("triggers")))
        .contains(InventoryLoader.DEFAULT_K3S_VERSION);
    assertThat(upgrade.inputs().get("delete")).isNull();
    assertThat(upgrade.secretInputs()).isTrue();
    assertThat(steps)
        .filteredOn(r -> r.name().endsWith("-preflight"))
        .hasSize(5)
        .allSatisfy(r -> assertThat(r.dependsOn()).contains("k3s-upgrade"));
    // k3s: the first server, then the others one by one, then the agents
    assertThat(h.byName.get("server-1-k3s-token").dependsOn())
        .doesNotContain("server-2-k3s", "server-3-k3s");
    // (each server's wave ends with its restart check: a changed file rolls it before the next)
    assertThat(h.byName.get("server-2-k3s-token").dependsOn()).contains("server-1-k3s-restarted");
    assertThat(h.byName.get("server-3-k3s-token").dependsOn()).contains("server-2-k3s-restarted");
    assertThat(h.byName.get("agent-1-k3s-token").dependsOn()).contains("server-3-k3s-restarted");
    assertThat(h.byName.get("gpu-1-k3s-token").dependsOn())
        .contains("server-3-k3s-restarted")
        .doesNotContain("agent-1-k3s");
    // the agents' restarts one at a time, after every agent's install
    assertThat(h.byName.get("agent-1-k3s-restarted").dependsOn())
        .contains("agent-1-k3s", "gpu-1-k3s");
    assertThat(h.byName.get("gpu-1-k3s-restarted").dependsOn()).contains("agent-1-k3s-restarted");
    assertThat(h.byName.get("server-1-nodes-ready").dependsOn())
        .containsExactlyInAnyOrder(
            "server-1-k3s-restarted",
            "server-2-k3s-restarted",
            "server-3-k3s-restarted",
            "agent-1-k3s-restarted",
            "gpu-1-k3s-restarted");
    StackHarness.Registered fetch = h.byName.get("server-1-kubeconfig");
    assertThat(fetch.type()).isEqualTo(RemoteCommand.TYPE);
    assertThat(fetch.dependsOn()).containsExactly("server-1-nodes-ready");
    assertThat(String.valueOf(fetch.inputs().get("connection")))
        .contains(KEY)
        .contains("10.0.0.11");
    // the kubeconfig output: named after the cluster, pointed at the API endpoint, secret
    assertThat(Internal.of(h.result.output("kubeconfig")).isSecret().join()).isTrue();
    assertThat(String.valueOf(PulumiTest.extractValue(h.result.output("kubeconfig"))))
        .contains("server: https://10.0.0.10:6443")
        .contains("current-context: lab");
  }

  @Test
  void theStepsRunKfbootWithHostKeysCheckedAndSecretsOnlyInTheSecretEnvironment() throws Exception {
    StackHarness h = run(Map.of());
    for (StackHarness.Registered step : h.ofType(LocalCommand.TYPE)) {
      if (step.name().equals("k3s-upgrade")) {
        continue;
      }
      String create = String.valueOf(step.inputs().get("create"));
      assertThat(create)
          .startsWith("kfboot hosts step -i ")
          .contains("--known-hosts ")
          .doesNotContain("--accept-new-host-keys")
          .doesNotContain("K10-never-in-a-command-line");
      assertThat(step.secretInputs())
          .as(step.name() + ": its environment holds the token and key")
          .isTrue();
      assertThat(step.inputs().get("delete") != null)
          .as(step.name() + ": only a host's first step resets it")
          .isEqualTo(step.name().endsWith("-preflight"));
    }
    assertThat(String.valueOf(h.byName.get("agent-1-preflight").inputs().get("delete")))
        .isEqualTo(
            "kfboot hosts reset -i "
                + dir.resolve("inventory.yaml")
                + " --known-hosts "
                + dir.resolve("known_hosts")
                + " --host agent-1");
  }

  @Test
  void anUnknownFirstServerKeyStopsTheStackUnlessTheConfigAcceptsNewKeys() throws Exception {
    Files.writeString(dir.resolve("empty"), "");
    StackHarness refused = run(Map.of("knownHosts", dir.resolve("empty").toString()));
    assertThat(refused.exceptions)
        .anySatisfy(
            e ->
                assertThat(String.valueOf(e))
                    .contains("is not in")
                    .contains("ssh-keyscan -p 22 10.0.0.11"));
    StackHarness accepted =
        run(Map.of("knownHosts", dir.resolve("empty").toString(), "acceptNewHostKeys", "true"));
    assertThat(accepted.exceptions).isEmpty();
    assertThat(String.valueOf(accepted.byName.get("server-1-preflight").inputs().get("create")))
        .contains("--accept-new-host-keys");
  }

  @Test
  void eachInventoryIsKeptInAFileOfItsOwnForTheDeletesStoredWithIt() throws Exception {
    Path known = Files.writeString(dir.resolve("known_hosts"), "10.0.0.11 " + KEY + "\n");
    StackConfig before =
        StackConfig.parse(
            Map.of("inventory", INVENTORY, "knownHosts", known.toString()),
            Set.of("k3sToken", "sshPrivateKey"),
            dir);
    StackConfig after =
        StackConfig.parse(
            Map.of(
                "inventory",
                INVENTORY.replaceAll(",\\s*\\{\"name\": \"gpu-1\"[^}]*\\}", ""),
                "knownHosts",
                known.toString()),
            Set.of("k3sToken", "sshPrivateKey"),
            dir);
    assertThat(after.inventory().hosts()).extracting(h -> h.name()).doesNotContain("gpu-1");
    Path folder = dir.resolve(".kfboot");
    String first = StackInputs.writeInventory(before, "dev", folder);
    String second = StackInputs.writeInventory(after, "dev", folder);
    assertThat(second).isNotEqualTo(first);
    // gpu-1's reset, stored with the first, still finds gpu-1 in its file
    assertThat(Path.of(first)).content().contains("gpu-1");
    assertThat(Path.of(second)).content().doesNotContain("gpu-1");
    assertThat(StackInputs.writeInventory(before, "dev", folder)).isEqualTo(first);
  }
}
