package io.kfboot.bootstrap.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryException;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.steps.StepRunner.Result;
import io.kfboot.bootstrap.steps.StepRunner.Status;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The inventory's registries on recording hosts: the same registries.yaml on every node, a change
 * rolled node by node (servers in order, then agents), the plan naming the nodes that differ, and a
 * missing credential refused before any host is reached.
 */
class RegistriesRollTest {
  static final String HOSTS =
      """
      hosts:
        - {name: server-1, address: 10.0.0.11, role: server}
        - {name: server-2, address: 10.0.0.12, role: server}
        - {name: server-3, address: 10.0.0.13, role: server}
        - {name: agent-1, address: 10.0.0.21, role: agent}
        - {name: agent-2, address: 10.0.0.22, role: agent}
      """;
  static final Map<String, String> ENV =
      Map.of("K3S_TOKEN", "K10-secret-token", "MIRROR_PASSWORD", "pw-never-logged");

  final Map<String, FakeLinuxHost> hosts = new LinkedHashMap<>();
  final List<String> starts = new CopyOnWriteArrayList<>();

  private ClusterBootstrap bootstrap(String registries, Map<String, String> env) {
    Inventory inv =
        InventoryLoader.parse(
            "cluster: lab\nk3s: {apiEndpoint: 10.0.0.10, token: {env: K3S_TOKEN}}\n"
                + registries
                + HOSTS,
            "inventory.yaml",
            Path.of("."));
    inv.hosts()
        .forEach(
            h ->
                hosts.computeIfAbsent(
                    h.name(),
                    n -> {
                      FakeLinuxHost f = new FakeLinuxHost(n);
                      f.onStart = () -> starts.add(n);
                      return f;
                    }));
    hosts.get("server-1").nodes = FakeLinuxHost.readyWhereRunning(hosts);
    return new ClusterBootstrap(
        inv, h -> hosts.get(h.name()).operator, env, Duration.ofMinutes(1), 4, r -> {});
  }

  private String registriesYaml(String host) {
    byte[] b = hosts.get(host).operator.files().get(K3sConfig.REGISTRIES_PATH);
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  static final String FIRST =
      """
      registries:
        mirrors: {docker.io: [https://mirror.lab.example]}
        auth: {mirror.lab.example: {username: puller, passwordEnv: MIRROR_PASSWORD}}
      """;
  static final String SECOND =
      """
      registries:
        mirrors:
          docker.io: [https://mirror.lab.example]
          ghcr.io: {endpoints: [https://mirror.lab.example], rewrite: {"^(.*)$": "ghcr/$1"}}
        auth: {mirror.lab.example: {username: puller, passwordEnv: MIRROR_PASSWORD}}
      """;

  @Test
  void everyNodeGetsTheSameFileAndAChangeRollsThemOneByOne() {
    bootstrap(FIRST, ENV).run(false);
    String yaml = registriesYaml("server-1");
    assertThat(yaml).contains("https://mirror.lab.example").contains("password: pw-never-logged");
    hosts.keySet().forEach(h -> assertThat(registriesYaml(h)).as(h).isEqualTo(yaml));
    hosts
        .values()
        .forEach(h -> assertThat(h.operator.mode(K3sConfig.REGISTRIES_PATH)).isEqualTo(0600));

    // the plan names every node whose file differs, and changes nothing
    starts.clear();
    List<Result> plan = bootstrap(SECOND, ENV).run(true);
    assertThat(plan)
        .filteredOn(r -> r.step().equals("k3s-registries"))
        .extracting(Result::host, Result::status)
        .containsOnly(
            tuple("server-1", Status.WOULD_CHANGE),
            tuple("server-2", Status.WOULD_CHANGE),
            tuple("server-3", Status.WOULD_CHANGE),
            tuple("agent-1", Status.WOULD_CHANGE),
            tuple("agent-2", Status.WOULD_CHANGE));
    assertThat(registriesYaml("agent-1")).isEqualTo(yaml);
    assertThat(starts).isEmpty();

    List<Result> rolled = bootstrap(SECOND, ENV).run(false);
    String second = registriesYaml("server-1");
    assertThat(second).contains("ghcr.io").contains("ghcr/$1");
    hosts.keySet().forEach(h -> assertThat(registriesYaml(h)).as(h).isEqualTo(second));
    // k3s reads registries.yaml only at start: each node restarted once, servers in order first
    assertThat(starts).hasSize(5);
    assertThat(starts.subList(0, 3)).containsExactly("server-1", "server-2", "server-3");
    assertThat(starts.subList(3, 5)).containsExactlyInAnyOrder("agent-1", "agent-2");
    assertThat(rolled)
        .filteredOn(r -> r.step().equals("k3s-restarted") && r.status() == Status.CHANGED)
        .hasSize(5);

    starts.clear();
    assertThat(bootstrap(SECOND, ENV).run(false))
        .extracting(Result::status)
        .containsOnly(Status.OK);
    assertThat(starts).isEmpty();
    for (FakeLinuxHost h : hosts.values()) {
      assertThat(h.operator.commandLines()).noneMatch(l -> l.contains("pw-never-logged"));
    }
  }

  @Test
  void registriesTakenOutLeaveAnEmptyFileAndRollTheNodes() {
    bootstrap(FIRST, ENV).run(false);
    starts.clear();
    bootstrap("", ENV).run(false);
    hosts.keySet().forEach(h -> assertThat(registriesYaml(h)).as(h).isEmpty());
    assertThat(starts).hasSize(5);
  }

  @Test
  void aMissingCredentialIsRefusedBeforeAnyHostIsReached() {
    ClusterBootstrap b = bootstrap(FIRST, Map.of("K3S_TOKEN", "K10-secret-token"));
    assertThatThrownBy(() -> b.run(false))
        .isInstanceOf(InventoryException.class)
        .hasMessageContaining("MIRROR_PASSWORD")
        .hasMessageContaining("mirror.lab.example");
    hosts.values().forEach(h -> assertThat(h.operator.actions()).isEmpty());
  }
}
