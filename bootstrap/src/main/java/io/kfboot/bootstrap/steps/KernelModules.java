package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.k3s.HostFiles;
import java.util.List;

/** br_netfilter and overlay loaded now and at boot. */
final class KernelModules implements Step, Removable {
  @Override
  public Step undo() {
    return ResetSteps.fileRemoved(HostFiles.MODULES_PATH);
  }

  final FileStep file =
      new FileStep(
          "modules", HostFiles.MODULES_PATH, 0644, h -> HostFiles.modulesConf(), List.of());

  @Override
  public String id() {
    return "kernel-modules";
  }

  @Override
  public String description() {
    return String.join(", ", HostFiles.MODULES) + " loaded and in " + HostFiles.MODULES_PATH;
  }

  @Override
  public Check check(HostContext host) {
    String loaded =
        host.root(
                Command.shell(
                    "for m in "
                        + String.join(" ", HostFiles.MODULES)
                        + "; do if test -d \"/sys/module/$m\"; then echo \"$m\"; fi; done"))
            .stdout();
    List<String> missing =
        HostFiles.MODULES.stream().filter(m -> !loaded.lines().toList().contains(m)).toList();
    Check f = file.check(host);
    if (missing.isEmpty() && f.satisfied()) {
      return Check.ok("loaded");
    }
    return Check.change(
        (missing.isEmpty() ? "" : "modprobe " + String.join(" ", missing) + "; ")
            + (f.satisfied() ? "" : f.detail()));
  }

  @Override
  public void apply(HostContext host) {
    file.apply(host);
    for (String m : HostFiles.MODULES) {
      host.rootOk(Command.of("modprobe", m), "modprobe " + m);
    }
  }
}
