package io.kfboot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.ResetSteps;
import io.kfboot.bootstrap.steps.Step;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.bootstrap.testing.FakeLinuxHost;
import io.kfboot.bootstrap.testing.Shellcheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NfsHostStepsTest {
  @TempDir Path dir;

  /** A host that remembers what the NFS steps did to it, so that a second run sees it. */
  static final class NfsHost {
    final FakeLinuxHost fake;
    final Map<String, String> dirs = new TreeMap<>(); // path -> mode
    boolean serverPackage;
    boolean clientPackage;
    boolean running;
    int exportfs;

    NfsHost(String name) {
      fake = new FakeLinuxHost(name);
      var op = fake.operator;
      op.on(
          c -> c.shellLine().contains("nfs-kernel-server"),
          c -> {
            serverPackage = true;
            return ok("");
          });
      op.on(
          c -> c.shellLine().contains("nfs-common"),
          c -> {
            clientPackage = true;
            return ok("");
          });
      op.on(
          c -> c.shellLine().contains("command -v exportfs"),
          c -> serverPackage ? ok("/usr/sbin/exportfs") : new ExecResult(1, "", "", Duration.ZERO));
      op.on(
          c -> c.shellLine().contains("mount.nfs"),
          c -> clientPackage ? ok("/sbin/mount.nfs") : new ExecResult(1, "", "", Duration.ZERO));
      op.on(
          c -> c.argv().contains("stat") && c.argv().contains("--"),
          c -> {
            List<String> argv = c.argv();
            StringBuilder out = new StringBuilder();
            argv.subList(argv.indexOf("--") + 1, argv.size()).stream()
                .filter(dirs::containsKey)
                .forEach(d -> out.append(dirs.get(d)).append(' ').append(d).append('\n'));
            return new ExecResult(out.isEmpty() ? 1 : 0, out.toString(), "", Duration.ZERO);
          });
      op.on(
          c -> c.argv().contains("mkdir") && c.argv().contains("--"),
          c -> {
            List<String> argv = c.argv();
            argv.subList(argv.indexOf("--") + 1, argv.size())
                .forEach(d -> dirs.putIfAbsent(d, "755"));
            return ok("");
          });
      op.on(
          c -> c.argv().contains("chmod") && c.argv().contains("--"),
          c -> {
            List<String> argv = c.argv();
            argv.subList(argv.indexOf("--") + 1, argv.size()).forEach(d -> dirs.put(d, "777"));
            return ok("");
          });
      op.on(
          c -> c.argv().contains("exportfs"),
          c -> {
            exportfs++;
            return ok("");
          });
      op.on(
          c -> c.argv().contains("is-active") || c.argv().contains("is-enabled"),
          c -> running ? ok("") : new ExecResult(3, "", "", Duration.ZERO));
      op.on(
          c -> c.argv().contains("enable") && c.argv().contains("--now"),
          c -> {
            running = true;
            return ok("");
          });
      // rules added last answer first: removals before the installs they mention
      op.on(
          c -> c.shellLine().contains("apt-get remove"),
          c -> {
            if (c.shellLine().contains("nfs-kernel-server")) {
              serverPackage = false;
            }
            if (c.shellLine().contains("nfs-common")) {
              clientPackage = false;
            }
            return ok("");
          });
      op.on(
          c -> c.argv().contains("disable"),
          c -> {
            running = false;
            return ok("");
          });
    }

    static ExecResult ok(String out) {
      return new ExecResult(0, out, "", Duration.ZERO);
    }

    List<StepRunner.Result> run(Inventory inv, boolean planOnly) {
      Inventory.Host spec =
          inv.hosts().stream()
              .filter(h -> h.name().equals(fake.operator.name()))
              .findFirst()
              .orElseThrow();
      return StepRunner.run(
          new HostContext(fake.operator, spec, inv, Duration.ofMinutes(1)),
          NfsHostSteps.all(),
          planOnly,
          r -> {});
    }
  }

  List<StepRunner.Result> reset(NfsHost host, Inventory inv) {
    Inventory.Host spec =
        inv.hosts().stream()
            .filter(h -> h.name().equals(host.fake.operator.name()))
            .findFirst()
            .orElseThrow();
    List<Step> undo = ResetSteps.undoing(NfsHostSteps.all()).subList(1, 6);
    return StepRunner.run(
        new HostContext(host.fake.operator, spec, inv, Duration.ofMinutes(1)),
        undo,
        false,
        r -> {});
  }

  @Test
  void resetUndoesWhatKfbootDidButKeepsTheVolumesData() {
    Inventory inv =
        StorageObjectsTest.inventory(
            """
            storage:
              mode: nfs
              nfs: {server: server-1, path: /srv/nfs}
            """);
    NfsHost server = new NfsHost("server-1");
    assertThat(changed(server.run(inv, false))).isEqualTo(5);
    List<StepRunner.Result> undone = reset(server, inv);
    assertThat(undone)
        .extracting(StepRunner.Result::step)
        .containsExactly(
            "nfs-client-removed",
            "nfs-server-stopped",
            "nfs-exports-removed",
            "nfs-export-dirs-kept",
            "nfs-server-package-removed");
    assertThat(server.clientPackage).as("the client kfboot installed").isFalse();
    assertThat(server.running).as("the server kfboot enabled").isFalse();
    assertThat(server.serverPackage).as("the server package kfboot installed").isFalse();
    assertThat(server.fake.operator.files())
        .doesNotContainKeys(
            NfsHostSteps.EXPORTS_PATH,
            NfsHostSteps.SERVER_MARKER,
            NfsHostSteps.ENABLED_MARKER,
            NfsHostSteps.CLIENT_MARKER);
    assertThat(server.dirs)
        .as("the exported directory holds the volumes' data")
        .containsKey("/srv/nfs");
    assertThat(undone.get(3).detail()).contains("/srv/nfs is kept").contains("rm -rf /srv/nfs");
    assertThat(changed(reset(server, inv))).as("a second reset changes nothing").isZero();
  }

  @Test
  void aClientThatWasThereIsNotRemoved() {
    Inventory inv =
        StorageObjectsTest.inventory(
            """
            storage:
              mode: nfs
              nfs: {server: 10.0.0.99, path: /srv/nfs}
            """);
    NfsHost agent = new NfsHost("gpu-1");
    agent.clientPackage = true; // the site's own
    agent.run(inv, false);
    reset(agent, inv);
    assertThat(agent.clientPackage).isTrue();
  }

  static long changed(List<StepRunner.Result> results) {
    return results.stream().filter(r -> r.status() == StepRunner.Status.CHANGED).count();
  }

  @Test
  void theServerHostExportsTheFixedVolumesAndEveryNodeGetsTheClientAndASecondRunChangesNothing() {
    Inventory inv =
        StorageObjectsTest.inventory(
            """
            storage:
              mode: nfs-static
              nfs: {server: server-1, path: /srv/nfs, volumes: [{name: katib-mysql, size: 10Gi}]}
            """);
    NfsHost server = new NfsHost("server-1");
    NfsHost agent = new NfsHost("gpu-1");
    assertThat(changed(server.run(inv, true))).as("plan changes nothing").isZero();
    assertThat(server.fake.operator.files()).doesNotContainKey(NfsHostSteps.EXPORTS_PATH);

    assertThat(changed(server.run(inv, false))).isEqualTo(5);
    assertThat(server.dirs)
        .containsEntry("/srv/nfs", "755")
        .containsEntry("/srv/nfs/katib-mysql", "777")
        .containsEntry("/srv/nfs/" + StorageComponent.PROBE_VOLUME_DIR, "777");
    assertThat(
            new String(
                server.fake.operator.files().get(NfsHostSteps.EXPORTS_PATH),
                StandardCharsets.UTF_8))
        .contains("/srv/nfs 10.0.0.11(rw,sync,no_subtree_check,no_root_squash) 10.0.0.21(");
    assertThat(server.fake.operator.mode(NfsHostSteps.EXPORTS_PATH)).isEqualTo(0644);
    assertThat(server.exportfs).isEqualTo(1);
    assertThat(server.running).isTrue();

    assertThat(changed(agent.run(inv, false))).as("only the client on other nodes").isEqualTo(1);
    assertThat(agent.clientPackage).isTrue();
    assertThat(agent.serverPackage).isFalse();

    assertThat(changed(server.run(inv, false))).isZero();
    assertThat(changed(agent.run(inv, false))).isZero();
    assertThat(server.exportfs).as("exports reloaded only when the file changed").isEqualTo(1);

    server.dirs.put("/srv/nfs/katib-mysql", "700"); // someone tightened it
    List<StepRunner.Result> repaired = server.run(inv, false);
    assertThat(repaired)
        .filteredOn(r -> r.status() == StepRunner.Status.CHANGED)
        .extracting(StepRunner.Result::detail)
        .containsExactly("chmod 0777 /srv/nfs/katib-mysql");
    assertThat(server.dirs).containsEntry("/srv/nfs/katib-mysql", "777");
  }

  @Test
  void localPathModeRunsNoNfsCommandAnywhere() {
    Inventory inv = StorageObjectsTest.inventory("storage: {mode: local-path}\n");
    NfsHost server = new NfsHost("server-1");
    assertThat(server.run(inv, false)).allMatch(r -> r.status() == StepRunner.Status.OK);
    assertThat(server.fake.operator.commandLines()).isEmpty();
  }

  @Test
  void theInstallScriptsAreShellcheckClean() throws Exception {
    Shellcheck.requireOrSkip();
    Shellcheck.assertClean(dir, NfsHostSteps.SERVER_PACKAGES);
    Shellcheck.assertClean(dir, NfsHostSteps.CLIENT_PACKAGES);
  }
}
