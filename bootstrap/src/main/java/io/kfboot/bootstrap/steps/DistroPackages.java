package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;

/** Packages installed or removed with whichever of apt-get, dnf and zypper the host has. */
public final class DistroPackages {
  private DistroPackages() {}

  /**
   * {@code verb} ("install" or "remove") with each package manager's own names for the packages.
   */
  public static Command command(String verb, String apt, String dnf, String zypper) {
    return Command.shell(
        "if command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get "
            + verb
            + " -y -q "
            + apt
            + ";"
            + " elif command -v dnf >/dev/null; then dnf "
            + verb
            + " -y "
            + dnf
            + ";"
            + " elif command -v zypper >/dev/null; then zypper -n "
            + verb
            + " "
            + zypper
            + ";"
            + " else echo 'no apt-get, dnf or zypper' >&2; exit 1; fi");
  }
}
