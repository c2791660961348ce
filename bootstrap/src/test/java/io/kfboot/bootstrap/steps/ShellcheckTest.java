package io.kfboot.bootstrap.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.host.RecordingHostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.k3s.ClusterBootstrap;
import io.kfboot.bootstrap.ssh.SshHostOperator;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import io.kfboot.bootstrap.testing.Shellcheck;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every shell script kfboot sends to a host passes shellcheck. */
@Requires(Need.SHELLCHECK)
class ShellcheckTest {
  @TempDir Path dir;

  @Test
  void everyGeneratedScriptIsClean() throws Exception {
    Shellcheck.requireOrSkip();
    Inventory inv =
        InventoryLoader.parse(
            """
            cluster: lab
            k3s: {token: {env: K3S_TOKEN}}
            containerRuntime: docker
            ssh: {user: ubuntu}
            hosts: [{name: s1, address: 10.0.0.1, role: server}, {name: a1, address: 10.0.0.2, role: agent}]
            """,
            "inventory.yaml",
            dir);
    Map<String, FakeLinuxHost> hosts = new HashMap<>();
    inv.hosts().forEach(h -> hosts.put(h.name(), new FakeLinuxHost(h.name())));
    hosts.get("s1").nodes = () -> "s1=True\na1=True\n";
    ClusterBootstrap b =
        new ClusterBootstrap(
            inv,
            h -> hosts.get(h.name()).operator,
            Map.of("K3S_TOKEN", "t"),
            Duration.ofMinutes(1),
            2,
            r -> {});
    b.run(false);
    b.reset(false);
    List<String> scripts = new ArrayList<>();
    for (FakeLinuxHost h : hosts.values()) {
      for (RecordingHostOperator.Action a : h.operator.actions()) {
        if (a instanceof RecordingHostOperator.Ran r) {
          List<String> argv = r.command().argv();
          int sh = argv.indexOf("sh");
          if (sh >= 0 && argv.size() > sh + 2 && argv.get(sh + 1).equals("-c")) {
            scripts.add(argv.get(sh + 2));
          }
        }
      }
    }
    scripts.add(
        SshHostOperator.placeScript(
            "/tmp/.kfboot-1", "/etc/rancher/k3s/config file.yaml", 0600, "root:root"));
    assertThat(scripts).hasSizeGreaterThanOrEqualTo(4);
    for (String script : scripts.stream().distinct().toList()) {
      Shellcheck.assertClean(dir, script);
    }
  }
}
