package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;

/**
 * Docker, when the inventory asks for {@code containerRuntime: docker} (k3s then runs with {@code
 * docker: true} through cri-dockerd): the distribution's package, enabled and running. A marker
 * records that kfboot installed it, so that reset removes only what kfboot added.
 */
final class Docker implements Step, Removable {
  @Override
  public Step undo() {
    return ResetSteps.dockerRemoved();
  }

  static final String MARKER = "/var/lib/kfboot/docker-installed";

  @Override
  public String id() {
    return "docker";
  }

  @Override
  public String description() {
    return "Docker running, when containerRuntime is docker";
  }

  @Override
  public Check check(HostContext host) {
    if (!host.inventory().containerRuntime().equals("docker")) {
      return Check.ok("containerd (k3s' own): nothing to install");
    }
    ExecResult r = host.root(Command.of("docker", "info", "--format", "{{.ServerVersion}}"));
    return r.ok()
        ? Check.ok("Docker " + r.stdout().trim() + " running")
        : Check.change("install and start Docker from the distribution's packages");
  }

  @Override
  public void apply(HostContext host) {
    if (!host.root(Command.shell("command -v docker")).ok()) {
      host.rootOk(
          DistroPackages.command("install", "docker.io", "moby-engine", "docker"),
          "installing Docker");
      host.write(MARKER, "kfboot installed Docker; 'kfboot hosts reset' removes it\n", 0644);
    }
    host.rootOk(Command.of("systemctl", "enable", "--now", "docker"), "starting Docker");
  }
}
