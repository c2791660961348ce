package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.k3s.HostFiles;
import java.util.ArrayList;
import java.util.List;

/** ip_forward, bridge netfilter and inotify limits, live and in /etc/sysctl.d. */
final class Sysctl implements Step, Removable {
  @Override
  public Step undo() {
    return ResetSteps.fileRemoved(HostFiles.SYSCTL_PATH);
  }

  final FileStep file =
      new FileStep("sysctl", HostFiles.SYSCTL_PATH, 0644, h -> HostFiles.sysctlConf(), List.of());

  @Override
  public String id() {
    return "sysctl";
  }

  @Override
  public String description() {
    return String.join(", ", HostFiles.SYSCTL.keySet()) + " in " + HostFiles.SYSCTL_PATH;
  }

  @Override
  public Check check(HostContext host) {
    // every value in one round trip, one line each (empty when the key does not exist yet)
    List<String> keys = new ArrayList<>(HostFiles.SYSCTL.keySet());
    List<String> values =
        host.root(
                Command.shell(
                    "for k in "
                        + String.join(" ", keys)
                        + "; do v=$(sysctl -n \"$k\" 2>/dev/null) || v=; echo \"$v\"; done"))
            .stdout()
            .lines()
            .toList();
    List<String> wrong = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      String now = i < values.size() ? values.get(i).trim() : "";
      String want = HostFiles.SYSCTL.get(keys.get(i));
      if (!now.equals(want)) {
        wrong.add(keys.get(i) + " " + (now.isEmpty() ? "unset" : now) + " -> " + want);
      }
    }
    Check f = file.check(host);
    if (wrong.isEmpty() && f.satisfied()) {
      return Check.ok("as desired");
    }
    return Check.change(
        String.join("; ", wrong)
            + (f.satisfied() ? "" : (wrong.isEmpty() ? "" : "; ") + f.detail()));
  }

  @Override
  public void apply(HostContext host) {
    file.apply(host);
    host.rootOk(
        Command.of("sysctl", "-p", HostFiles.SYSCTL_PATH), "sysctl -p " + HostFiles.SYSCTL_PATH);
  }
}
