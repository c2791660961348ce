package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.k3s.HostFiles;

/** Swap off now and after reboots (kubelet refuses swap by default). */
final class SwapOff implements Step, Removable {
  @Override
  public Step undo() {
    return ResetSteps.swapRestored();
  }

  static final String MARKER = "/var/lib/kfboot/swap-was-on";

  @Override
  public String id() {
    return "swap-off";
  }

  @Override
  public String description() {
    return "swap off now and in /etc/fstab and systemd";
  }

  @Override
  public Check check(HostContext host) {
    String active = host.root(Command.of("swapon", "--show=NAME", "--noheadings")).stdout().trim();
    String fstab = host.file("/etc/fstab").orElse("");
    boolean persisted = HostFiles.fstabWithoutSwap(fstab).equals(fstab);
    if (active.isEmpty() && persisted) {
      return Check.ok("no swap");
    }
    return Check.change(
        (active.isEmpty() ? "" : "swapoff " + String.join(", ", active.split("\n")) + "; ")
            + (persisted ? "" : "comment swap lines in /etc/fstab"));
  }

  @Override
  public void apply(HostContext host) {
    host.write(
        MARKER,
        "swap was on when kfboot turned it off; 'kfboot hosts reset' turns it back on\n",
        0644);
    host.rootOk(Command.of("swapoff", "-a"), "swapoff -a");
    String fstab = host.file("/etc/fstab").orElse("");
    String off = HostFiles.fstabWithoutSwap(fstab);
    if (!off.equals(fstab)) {
      host.write("/etc/fstab", off, 0644);
    }
    // swap units systemd made from fstab or elsewhere would turn swap on again at boot
    String units =
        host.root(
                Command.shell(
                    "systemctl list-units --type=swap --all --no-legend --plain 2>/dev/null | awk"
                        + " '{print $1}'"))
            .stdout()
            .trim();
    for (String unit : units.isEmpty() ? new String[0] : units.split("\n")) {
      host.rootOk(Command.of("systemctl", "mask", unit), "masking " + unit);
    }
  }
}
