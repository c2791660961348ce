package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.inventory.K3sVersion;
import io.kfboot.bootstrap.k3s.K3sConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * k3s running what is on disk: restarted when its binary, config.yaml, registries.yaml or token
 * file changed after the service started. k3s reads them only at start ("In order for the registry
 * changes to take effect, you need to restart K3s on each node",
 * https://docs.k3s.io/installation/private-registry), and an upgrade replaces the binary under a
 * running service. The check compares times on the host, so a run killed between writing a file and
 * restarting still restarts on the next run.
 */
final class K3sRestarted implements Step {
  /** What k3s reads at start, as the check lists them. */
  static final List<String> READ_AT_START =
      List.of(K3sInstall.BINARY, K3sConfig.PATH, K3sConfig.REGISTRIES_PATH, K3sConfig.TOKEN_FILE);

  @Override
  public String id() {
    return "k3s-restarted";
  }

  @Override
  public String description() {
    return "k3s restarted after its binary or files changed";
  }

  static String service(HostContext h) {
    return h.spec().role() == Role.SERVER ? "k3s" : "k3s-agent";
  }

  @Override
  public Check check(HostContext host) {
    String svc = service(host);
    StringBuilder files = new StringBuilder();
    List<String> read = new ArrayList<>(READ_AT_START);
    // containerd reads the registries' certificates through the hosts.toml k3s writes at start
    K3sConfig.tlsFiles(host.inventory().registries()).forEach(f -> read.add(f.node()));
    if (!K3sVersion.tryParse(host.inventory().k3s().version())
        .map(K3sVersion::importsImagesWhileRunning)
        .orElse(true)) {
      // older k3s imports agent/images only at start
      ImageArchives.archives(host.inventory()).forEach(a -> read.add(ImageArchives.nodePath(a)));
    }
    for (String f : read) {
      files.append(' ').append(Command.quote(host.path(f)));
    }
    // the start time and each newer file, in one round trip
    ExecResult r =
        host.root(
            Command.shell(
                "systemctl is-active --quiet "
                    + svc
                    + " || { echo inactive; exit 0; }; started=$(date -d \"$(systemctl show -p"
                    + " ActiveEnterTimestamp --value "
                    + svc
                    + ")\" +%s) || exit 4; for f in"
                    + files
                    + "; do [ -e \"$f\" ] && [ \"$(stat -c %Y \"$f\")\" -gt \"$started\" ] && echo"
                    + " \"newer $f\"; done; true"));
    r.requireOk(host.name(), "comparing k3s' files with the start of " + svc);
    List<String> lines = r.stdout().lines().filter(l -> !l.isBlank()).toList();
    if (lines.contains("inactive")) {
      return Check.change("start " + svc);
    }
    List<String> newer =
        lines.stream()
            .filter(l -> l.startsWith("newer "))
            .map(l -> l.substring("newer ".length()))
            .toList();
    return newer.isEmpty()
        ? Check.ok(svc + " runs what is on disk")
        : Check.change(
            "restart " + svc + ": changed since it started: " + String.join(", ", newer));
  }

  @Override
  public void apply(HostContext host) {
    host.rootOk(Command.of("systemctl", "restart", service(host)), "restarting " + service(host));
  }
}
