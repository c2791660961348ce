package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** k3s at the pinned version, installed with the official script and started. */
final class K3sInstall implements Step {
  static final String BINARY = HostSteps.K3S_BINARY;
  static final String SCRIPT = "/var/lib/kfboot/k3s-install.sh";
  static final String IMAGES = "/var/lib/rancher/k3s/agent/images/";

  @Override
  public String id() {
    return "k3s";
  }

  @Override
  public String description() {
    return "k3s installed at the inventory's version and its service running";
  }

  private String service(HostContext h) {
    return K3sRestarted.service(h);
  }

  @Override
  public Check check(HostContext host) {
    String version = host.inventory().k3s().version();
    ExecResult v = host.root(Command.of(host.path(BINARY), "--version"));
    if (!v.ok()) {
      return Check.change("install k3s " + version);
    }
    if (!v.stdout().contains(version)) {
      return Check.change(
          "k3s is " + v.stdout().lines().findFirst().orElse("?") + ", install " + version);
    }
    if (!host.root(Command.of("systemctl", "is-active", "--quiet", service(host))).ok()) {
      return Check.change("start " + service(host));
    }
    return Check.ok(version + " running");
  }

  /** Whether the binary on the host is the inventory's version. */
  private static boolean installed(HostContext host) {
    ExecResult v = host.root(Command.of(host.path(BINARY), "--version"));
    return v.ok() && v.stdout().contains(host.inventory().k3s().version());
  }

  @Override
  public void apply(HostContext host) {
    if (installed(host)) {
      // only stopped (a restart killed mid-way): the install script has nothing to do
      host.rootOk(
          Command.of("systemctl", "enable", "--now", service(host)), "starting " + service(host));
      return;
    }
    var inv = host.inventory();
    String script = host.path(SCRIPT);
    List<String> env =
        new ArrayList<>(
            List.of(
                "INSTALL_K3S_VERSION=" + inv.k3s().version(),
                "INSTALL_K3S_SKIP_START=true",
                // the inventory's extra k3s flags ride along on the service's command line
                "INSTALL_K3S_EXEC="
                    + String.join(
                        " ",
                        Stream.concat(
                                Stream.of(host.spec().role() == Role.SERVER ? "server" : "agent"),
                                inv.k3s().extraArgs().stream())
                            .toList())));
    if (inv.airgap() != null) {
      upload(host, inv.airgap().k3sBinary(), host.path(BINARY), 0755);
      upload(
          host,
          inv.airgap().images(),
          host.path(IMAGES) + inv.airgap().images().getFileName(),
          0644);
      upload(host, inv.airgap().installScript(), script, 0755);
      env.add("INSTALL_K3S_SKIP_DOWNLOAD=true");
    } else {
      host.rootOk(Command.of("mkdir", "-p", host.path("/var/lib/kfboot")), "mkdir /var/lib/kfboot");
      host.rootOk(
          Command.of("curl", "-sfL", "--retry", "3", "-o", script, "https://get.k3s.io"),
          "downloading the k3s install script");
    }
    List<String> argv = new ArrayList<>(List.of("env"));
    argv.addAll(env);
    argv.addAll(List.of("sh", script)); // k3s reads /etc/rancher/k3s/config.yaml itself
    host.rootOk(Command.of(argv), "the k3s install script");
    host.rootOk(
        Command.of("systemctl", "enable", "--now", service(host)), "starting " + service(host));
  }

  private void upload(HostContext host, Path local, String remote, int mode) {
    try {
      host.operator().upload(Files.readAllBytes(local), remote, mode, "root:root");
    } catch (IOException e) {
      throw new HostException(
          host.name(),
          "cannot read airgap file " + local + ": " + e.getMessage(),
          "check the inventory's airgap paths",
          false,
          e);
    }
  }
}
