package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;

/** curl for the k3s install script (not needed with airgap files), from the distribution. */
final class Packages implements Step {
  @Override
  public String id() {
    return "packages";
  }

  @Override
  public String description() {
    return "curl installed (to fetch the k3s install script)";
  }

  @Override
  public Check check(HostContext host) {
    if (host.inventory().airgap() != null) {
      return Check.ok("airgap: nothing to fetch");
    }
    return host.root(Command.shell("command -v curl")).ok()
        ? Check.ok("curl present")
        : Check.change("install curl");
  }

  @Override
  public void apply(HostContext host) {
    host.rootOk(DistroPackages.command("install", "curl", "curl", "curl"), "installing curl");
  }
}
