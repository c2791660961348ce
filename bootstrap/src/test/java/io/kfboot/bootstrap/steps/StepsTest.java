package io.kfboot.bootstrap.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.host.RecordingHostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryException;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.k3s.ClusterBootstrap;
import io.kfboot.bootstrap.k3s.HostFiles;
import io.kfboot.bootstrap.k3s.K3sConfig;
import io.kfboot.bootstrap.steps.StepRunner.Result;
import io.kfboot.bootstrap.steps.StepRunner.Status;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StepsTest {
  static final String INVENTORY =
      """
      cluster: lab
      k3s: {apiEndpoint: 10.0.0.10, token: {env: K3S_TOKEN}, extraArgs: ["--kubelet-arg=max-pods=250"]}
      ssh: {user: ubuntu}
      hosts:
        - {name: server-1, address: 10.0.0.11, role: server}
        - {name: server-2, address: 10.0.0.12, role: server}
        - {name: server-3, address: 10.0.0.13, role: server}
        - {name: agent-1, address: 10.0.0.21, role: agent}
        - {name: agent-2, address: 10.0.0.22, role: agent, gpu: true}
      """;
  static final Map<String, String> ENV = Map.of("K3S_TOKEN", "K10-secret-token");

  final Inventory inv = InventoryLoader.parse(INVENTORY, "inventory.yaml", Path.of("."));
  final Map<String, FakeLinuxHost> hosts = new LinkedHashMap<>();

  private ClusterBootstrap bootstrap() {
    inv.hosts().forEach(h -> hosts.computeIfAbsent(h.name(), FakeLinuxHost::new));
    // the first server's API lists every node whose k3s runs
    hosts.get("server-1").nodes = FakeLinuxHost.readyWhereRunning(hosts);
    return new ClusterBootstrap(
        inv, h -> hosts.get(h.name()).operator, ENV, Duration.ofMinutes(1), 4, r -> {});
  }

  @Test
  void aFreshHostIsPreparedAndASecondRunChangesNothing() {
    FakeLinuxHost fake = new FakeLinuxHost("server-1");
    HostContext ctx =
        new HostContext(fake.operator, inv.servers().get(0), inv, Duration.ofMinutes(1));

    List<Result> first = StepRunner.run(ctx, HostSteps.prepare(), false, r -> {});
    assertThat(first)
        .extracting(Result::step, Result::status)
        .containsExactly(
            Tuple.tuple("preflight", Status.OK),
            Tuple.tuple("network", Status.OK),
            Tuple.tuple("packages", Status.OK),
            Tuple.tuple("swap-off", Status.CHANGED),
            Tuple.tuple("kernel-modules", Status.CHANGED),
            Tuple.tuple("sysctl", Status.CHANGED),
            Tuple.tuple("docker", Status.OK));
    assertThat(fake.swap).isEmpty();
    assertThat(fake.modules).contains("br_netfilter", "overlay");
    assertThat(fake.sysctl)
        .containsEntry("fs.inotify.max_user_watches", "1255360")
        .containsEntry("net.ipv4.ip_forward", "1");
    assertThat(new String(fake.operator.files().get("/etc/fstab"), StandardCharsets.UTF_8))
        .contains("#kfboot-swapoff# /swapfile");
    assertThat(fake.operator.mode(HostFiles.SYSCTL_PATH)).isEqualTo(0644);
    assertThat(fake.operator.commandLines())
        .as("not root: everything that needs root goes through sudo -n")
        .filteredOn(l -> l.contains("swapoff") || l.contains("modprobe"))
        .allMatch(l -> l.startsWith("sudo -n -- "));

    int before = fake.operator.actions().size();
    List<Result> second = StepRunner.run(ctx, HostSteps.prepare(), false, r -> {});
    assertThat(second).extracting(Result::status).containsOnly(Status.OK);
    assertThat(fake.operator.actions().subList(before, fake.operator.actions().size()))
        .as("a second run only looks")
        .noneMatch(a -> a instanceof RecordingHostOperator.Wrote);
  }

  @Test
  void planOnlyLooks() {
    FakeLinuxHost fake = new FakeLinuxHost("server-1");
    HostContext ctx =
        new HostContext(fake.operator, inv.servers().get(0), inv, Duration.ofMinutes(1));
    List<Result> plan = StepRunner.run(ctx, HostSteps.prepare(), true, r -> {});
    assertThat(plan)
        .extracting(Result::status)
        .containsExactly(
            Status.OK,
            Status.OK,
            Status.OK,
            Status.WOULD_CHANGE,
            Status.WOULD_CHANGE,
            Status.WOULD_CHANGE,
            Status.OK);
    assertThat(plan.get(5).detail()).contains("fs.inotify.max_user_watches 8192 -> 1255360");
    assertThat(fake.operator.actions()).noneMatch(a -> a instanceof RecordingHostOperator.Wrote);
    assertThat(fake.operator.commandLines())
        .noneMatch(l -> l.contains("swapoff") || l.contains("modprobe") || l.contains("sysctl -p"));
  }

  @Test
  void aHostTooSmallIsRefusedBeforeAnyChange() {
    FakeLinuxHost fake = new FakeLinuxHost("tiny");
    fake.cpus = 1;
    HostContext ctx =
        new HostContext(fake.operator, inv.servers().get(0), inv, Duration.ofMinutes(1));
    assertThatThrownBy(() -> StepRunner.run(ctx, HostSteps.prepare(), false, r -> {}))
        .isInstanceOf(HostException.class)
        .hasMessageContaining("1 CPUs (at least 2)");
    assertThat(fake.swap).isNotEmpty();
  }

  @Test
  void haOrderFirstServerThenTheOtherServersOneByOneThenAgents() {
    List<Result> results = bootstrap().run(false);
    long s1 = hosts.get("server-1").installedAt.get(0);
    long s2 = hosts.get("server-2").installedAt.get(0);
    long s3 = hosts.get("server-3").installedAt.get(0);
    assertThat(s1).isLessThan(s2);
    assertThat(s2).isLessThan(s3);
    assertThat(hosts.get("agent-1").installedAt.get(0)).isGreaterThan(s3);
    assertThat(hosts.get("agent-2").installedAt.get(0)).isGreaterThan(s3);

    String first =
        new String(
            hosts.get("server-1").operator.files().get(K3sConfig.PATH), StandardCharsets.UTF_8);
    String joining =
        new String(
            hosts.get("server-2").operator.files().get(K3sConfig.PATH), StandardCharsets.UTF_8);
    assertThat(first).contains("cluster-init: true").doesNotContain("server:");
    assertThat(joining).contains("server: https://10.0.0.10:6443").doesNotContain("cluster-init");
    assertThat(hosts.get("agent-2").operator.files().get(K3sConfig.PATH))
        .asString(StandardCharsets.UTF_8)
        .contains("nvidia.com/gpu.present=true");
    assertThat(hosts.get("agent-1").operator.mode(K3sConfig.TOKEN_FILE)).isEqualTo(0600);
    assertThat(results)
        .filteredOn(r -> r.step().equals("k3s"))
        .hasSize(5)
        .allMatch(r -> r.status() == Status.CHANGED);
    assertThat(results.get(results.size() - 1))
        .satisfies(
            r -> {
              assertThat(r.step()).isEqualTo("nodes-ready");
              assertThat(r.detail()).isEqualTo("5 nodes Ready");
            });
    for (FakeLinuxHost h : hosts.values()) {
      assertThat(h.operator.commandLines())
          .as("the token never shows in a command")
          .noneMatch(l -> l.contains("K10-secret-token"));
    }
    assertThat(hosts.get("agent-1").operator.commandLines())
        .anyMatch(l -> l.contains("'INSTALL_K3S_EXEC=agent --kubelet-arg=max-pods=250'"));

    List<Result> again = bootstrap().run(false);
    assertThat(again).extracting(Result::status).containsOnly(Status.OK);
  }

  @Test
  void aFailedServerStopsItsAgents() {
    bootstrap();
    hosts.get("server-2").failK3sInstall = true;
    assertThatThrownBy(() -> bootstrap().run(false))
        .isInstanceOf(HostException.class)
        .hasMessageContaining("server-2")
        .hasMessageContaining("Failed to start the k3s service");
    assertThat(hosts.get("server-1").k3sVersion).isNotNull();
    assertThat(hosts.get("server-3").installedAt).isEmpty();
    assertThat(hosts.get("agent-1").installedAt).isEmpty();
    assertThat(hosts.get("agent-2").installedAt).isEmpty();
  }

  @Test
  void anUnreachableHostStopsEverythingBeforeAnyChange() {
    bootstrap();
    ClusterBootstrap b =
        new ClusterBootstrap(
            inv,
            h -> {
              if (h.name().equals("agent-2")) {
                throw new HostException(
                    "agent-2",
                    "connecting to ubuntu@10.0.0.22: Connection refused",
                    "check that the host is up",
                    true);
              }
              return hosts.get(h.name()).operator;
            },
            ENV,
            Duration.ofMinutes(1),
            4,
            r -> {});
    assertThatThrownBy(() -> b.run(false))
        .isInstanceOf(HostException.class)
        .hasMessageContaining("agent-2");
    hosts
        .values()
        .forEach(
            h ->
                assertThat(h.operator.actions())
                    .noneMatch(a -> a instanceof RecordingHostOperator.Wrote));
  }

  @Test
  void aMissingTokenStopsEverythingBeforeAnyHostIsTouched() {
    bootstrap();
    ClusterBootstrap b =
        new ClusterBootstrap(
            inv, h -> hosts.get(h.name()).operator, Map.of(), Duration.ofMinutes(1), 4, r -> {});
    assertThatThrownBy(() -> b.run(true))
        .isInstanceOf(InventoryException.class)
        .hasMessageContaining("environment variable K3S_TOKEN");
    hosts.values().forEach(h -> assertThat(h.operator.actions()).isEmpty());
  }

  @Test
  void resetUndoesUpInReverseAndTwiceChangesNothing() {
    bootstrap().run(false);
    FakeLinuxHost.CLOCK.set(0);
    List<Result> reset = bootstrap().reset(false);
    for (FakeLinuxHost h : hosts.values()) {
      assertThat(h.k3sVersion).isNull();
      assertThat(h.swap).as(h.operator.name() + ": swap back on").containsExactly("/swapfile");
      assertThat(h.operator.files())
          .doesNotContainKeys(
              HostFiles.SYSCTL_PATH, HostFiles.MODULES_PATH, K3sConfig.PATH, K3sConfig.TOKEN_FILE);
      assertThat(new String(h.operator.files().get("/etc/fstab"), StandardCharsets.UTF_8))
          .doesNotContain("kfboot-swapoff");
    }
    assertThat(reset)
        .filteredOn(r -> r.step().equals("k3s-removed"))
        .extracting(Result::host)
        .as("agents first, the first server last")
        .endsWith("server-3", "server-2", "server-1");
    assertThat(bootstrap().reset(false)).extracting(Result::status).containsOnly(Status.OK);
  }

  @Test
  void aStepCutOffByATransientFailureIsRetried() {
    FakeLinuxHost fake = new FakeLinuxHost("server-1");
    fake.dropModprobe = 1;
    HostContext ctx =
        new HostContext(fake.operator, inv.servers().get(0), inv, Duration.ofMinutes(1));
    List<Result> progress = new ArrayList<>();
    List<Result> results = StepRunner.run(ctx, HostSteps.prepare(), false, progress::add);
    assertThat(results).extracting(Result::status).doesNotContain(Status.RETRYING);
    assertThat(progress)
        .anySatisfy(
            r -> {
              assertThat(r.step()).isEqualTo("kernel-modules");
              assertThat(r.status()).isEqualTo(Status.RETRYING);
              assertThat(r.detail()).contains("attempt 1/3").contains("connection dropped");
            });
    assertThat(fake.modules).contains("br_netfilter");

    FakeLinuxHost always = new FakeLinuxHost("server-2");
    always.dropModprobe = 10;
    always.dropBeforeActing = true;
    HostContext ctx2 =
        new HostContext(always.operator, inv.servers().get(1), inv, Duration.ofMinutes(1));
    assertThatThrownBy(() -> StepRunner.run(ctx2, HostSteps.prepare(), false, r -> {}))
        .isInstanceOf(HostException.class)
        .hasMessageContaining("connection dropped");
  }

  @Test
  void clonedHostsWithOneHostnameAreRefusedBeforeAnyChange() {
    bootstrap();
    hosts.get("agent-1").hostname = "ubuntu";
    hosts.get("agent-2").hostname = "ubuntu";
    assertThatThrownBy(() -> bootstrap().run(false))
        .isInstanceOf(HostException.class)
        .hasMessageContaining("agent-1, agent-2: all report the hostname 'ubuntu'")
        .satisfies(e -> assertThat(((HostException) e).fix()).contains("hostnamectl set-hostname"));
    hosts
        .values()
        .forEach(
            h ->
                assertThat(h.operator.actions())
                    .noneMatch(a -> a instanceof RecordingHostOperator.Wrote));
  }

  @Test
  void dockerIsInstalledWhenAskedForAndRemovedOnResetOnlyIfKfbootInstalledIt() {
    Inventory docker =
        InventoryLoader.parse(
            INVENTORY.replace(
                "ssh: {user: ubuntu}", "ssh: {user: ubuntu}\ncontainerRuntime: docker"),
            "inventory.yaml",
            Path.of("."));
    Map<String, FakeLinuxHost> fakes = new LinkedHashMap<>();
    docker.hosts().forEach(h -> fakes.put(h.name(), new FakeLinuxHost(h.name())));
    fakes.get("agent-2").docker = true; // was there before kfboot
    fakes.get("server-1").nodes =
        () -> String.join("", fakes.keySet().stream().map(n -> n + "=True\n").toList());
    ClusterBootstrap b =
        new ClusterBootstrap(
            docker, h -> fakes.get(h.name()).operator, ENV, Duration.ofMinutes(1), 4, r -> {});
    b.run(false);
    assertThat(fakes.values()).allMatch(f -> f.docker);
    assertThat(
            new String(
                fakes.get("server-1").operator.files().get(K3sConfig.PATH), StandardCharsets.UTF_8))
        .contains("docker: true");
    b.reset(false);
    assertThat(fakes.get("agent-2").docker).as("Docker that was there stays").isTrue();
    assertThat(fakes.get("agent-1").docker).as("Docker kfboot installed goes").isFalse();
  }

  @Test
  void airgapInstallsFromLocalFilesWithoutTheNetwork(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("k3s"), "ELF");
    Files.writeString(dir.resolve("k3s-airgap-images-amd64.tar.zst"), "images");
    Files.writeString(dir.resolve("install.sh"), "#!/bin/sh\n");
    Inventory airgap =
        InventoryLoader.parse(
            """
            cluster: lab
            k3s: {token: {env: K3S_TOKEN}}
            airgap: {k3sBinary: k3s, images: k3s-airgap-images-amd64.tar.zst, installScript: install.sh}
            hosts: [{name: box, address: 10.0.0.5, role: server}]
            """,
            "inventory.yaml",
            dir);
    FakeLinuxHost box = new FakeLinuxHost("box");
    box.nodes = () -> "box=True\n";
    new ClusterBootstrap(airgap, h -> box.operator, ENV, Duration.ofMinutes(1), 1, r -> {})
        .run(false);
    assertThat(box.operator.mode("/usr/local/bin/k3s")).isEqualTo(0755);
    assertThat(box.operator.files())
        .containsKey("/var/lib/rancher/k3s/agent/images/k3s-airgap-images-amd64.tar.zst");
    assertThat(box.operator.commandLines())
        .noneMatch(l -> l.contains("curl"))
        .anyMatch(
            l ->
                l.contains("INSTALL_K3S_SKIP_DOWNLOAD=true")
                    && l.contains("/var/lib/kfboot/k3s-install.sh"));
    assertThat(box.k3sVersion).isEqualTo(InventoryLoader.DEFAULT_K3S_VERSION);
  }

  @Test
  void oneStepOnOneHostRunsAloneButSeesWhatTheChecksBeforeItFound() {
    bootstrap();
    Step discover =
        Step.of(
            "discover",
            "finds a node label",
            h -> {
              h.discoveredLabels().put("example.com/found", "yes");
              return Step.Check.ok("found");
            },
            h -> {});
    ClusterBootstrap b =
        new ClusterBootstrap(
            inv,
            h -> hosts.get(h.name()).operator,
            ENV,
            Duration.ofMinutes(1),
            4,
            r -> {},
            List.of(discover));
    Inventory.Host agent = inv.agents().get(0);
    assertThat(b.stepIds(agent))
        .containsSubsequence("preflight", "sysctl", "discover", "k3s-token", "k3s-config", "k3s");

    List<Result> r = b.runStep("agent-1", "k3s-config", false);
    assertThat(r).singleElement().satisfies(x -> assertThat(x.status()).isEqualTo(Status.CHANGED));
    assertThat(hosts.get("agent-1").operator.files())
        .containsKey(K3sConfig.PATH)
        .as("no other step applied")
        .doesNotContainKeys(K3sConfig.TOKEN_FILE, HostFiles.SYSCTL_PATH, HostFiles.MODULES_PATH);
    assertThat(
            new String(
                hosts.get("agent-1").operator.files().get(K3sConfig.PATH), StandardCharsets.UTF_8))
        .contains("example.com/found=yes");
    assertThat(b.runStep("agent-1", "k3s-config", false))
        .singleElement()
        .satisfies(x -> assertThat(x.status()).isEqualTo(Status.OK));

    assertThatThrownBy(() -> b.runStep("agent-1", "nodes-ready", false))
        .isInstanceOf(HostException.class)
        .hasMessageContaining("has no step 'nodes-ready'");
    assertThatThrownBy(() -> b.runStep("agent-9", "k3s", false))
        .hasMessageContaining("is not in the inventory");
  }
}
