package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.k3s.HostFiles;
import io.kfboot.bootstrap.steps.Step.Check;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code kfboot hosts reset}: what {@code up} did, undone in reverse. k3s through its own uninstall
 * script (which removes /etc/rancher/k3s too); kfboot's sysctl and module files; swap only if
 * kfboot turned it off. Docker is left alone: kfboot never installs it.
 */
public final class ResetSteps {
  private ResetSteps() {}

  /**
   * The undo of every {@link Removable} step of {@code up} on a host, newest first, after k3s
   * itself is removed: what {@code reset} runs there.
   */
  public static List<Step> undoing(List<Step> applied) {
    List<Step> steps = new ArrayList<>(List.of(k3sRemoved()));
    List<Step> reversed = new ArrayList<>(applied);
    Collections.reverse(reversed);
    Set<String> ids = new HashSet<>();
    for (Step s : reversed) {
      if (s instanceof Removable r && ids.add(r.undo().id())) {
        steps.add(r.undo());
      }
    }
    return steps;
  }

  static String uninstallScript(HostContext h) {
    return h.spec().role() == Role.SERVER
        ? "/usr/local/bin/k3s-uninstall.sh"
        : "/usr/local/bin/k3s-agent-uninstall.sh";
  }

  static Step k3sRemoved() {
    return Step.of(
        "k3s-removed",
        "k3s uninstalled with its own script",
        host ->
            host.root(Command.of("test", "-e", uninstallScript(host))).ok()
                ? Check.change("run " + uninstallScript(host))
                : Check.ok("no k3s"),
        host -> host.rootOk(Command.of(uninstallScript(host)), uninstallScript(host)));
  }

  /**
   * Docker removed only if kfboot installed it (the marker says so); a Docker that was there stays.
   */
  static Step dockerRemoved() {
    return Step.of(
        "docker-removed",
        "Docker removed, if kfboot installed it",
        host ->
            host.file(Docker.MARKER).isPresent()
                ? Check.change("remove the Docker kfboot installed")
                : Check.ok("kfboot did not install Docker"),
        host -> {
          host.rootOk(
              DistroPackages.command("remove", "docker.io", "moby-engine docker", "docker"),
              "removing Docker");
          host.rootOk(
              Command.of("rm", "-f", "--", host.path(Docker.MARKER)), "removing " + Docker.MARKER);
        });
  }

  static Step fileRemoved(String path) {
    return Step.of(
        "removed " + path,
        path + " removed",
        host -> host.file(path).isPresent() ? Check.change("remove " + path) : Check.ok("absent"),
        host -> host.rootOk(Command.of("rm", "-f", "--", host.path(path)), "removing " + path));
  }

  static Step swapRestored() {
    return Step.of(
        "swap-restored",
        "swap back on, if kfboot turned it off",
        host ->
            host.file(SwapOff.MARKER).isPresent()
                ? Check.change("restore /etc/fstab swap lines and swapon -a")
                : Check.ok("kfboot did not turn swap off"),
        host -> {
          String fstab = host.file("/etc/fstab").orElse("");
          String restored = HostFiles.fstabRestored(fstab);
          if (!restored.equals(fstab)) {
            host.write("/etc/fstab", restored, 0644);
          }
          host.root(
              Command.shell(
                  "systemctl list-unit-files --type=swap --state=masked --no-legend --plain"
                      + " 2>/dev/null | awk '{print $1}' | xargs -r systemctl unmask"));
          host.rootOk(Command.of("swapon", "-a"), "swapon -a");
          host.rootOk(
              Command.of("rm", "-f", "--", host.path(SwapOff.MARKER)),
              "removing " + SwapOff.MARKER);
        });
  }
}
