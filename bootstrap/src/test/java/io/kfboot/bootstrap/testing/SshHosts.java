package io.kfboot.bootstrap.testing;

import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.ssh.SshHostOperator;
import io.kfboot.bootstrap.ssh.SshTarget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Test sshd hosts as an inventory sees them: their hosts: lines, known_hosts, connections. */
public final class SshHosts {
  private SshHosts() {}

  /**
   * The hosts: section for {@code hosts}, named node-0, node-1, ...; the first {@code servers} are
   * servers, the rest agents.
   */
  public static String hostsYaml(List<Sshd> hosts, int servers) {
    StringBuilder yaml = new StringBuilder("hosts:\n");
    for (int i = 0; i < hosts.size(); i++) {
      Sshd s = hosts.get(i);
      yaml.append("  - {name: node-")
          .append(i)
          .append(", address: '")
          .append(s.address)
          .append("', port: ")
          .append(s.port)
          .append(", user: root, key: ")
          .append(s.userKey)
          .append(", role: ")
          .append(i < servers ? "server" : "agent")
          .append("}\n");
    }
    return yaml.toString();
  }

  /** One known_hosts file holding every host's key. */
  public static Path knownHosts(List<Sshd> hosts, Path file) throws IOException {
    Files.writeString(
        file, String.join("\n", hosts.stream().map(h -> h.hostKeyLine).toList()) + "\n");
    return file;
  }

  /** A JSch connection to an inventory host, its key checked against {@code knownHosts}. */
  public static HostOperator connect(Host h, Path knownHosts) {
    return new SshHostOperator(
        new SshTarget(
            h.name(),
            h.address(),
            h.port(),
            h.user(),
            h.identityFile(),
            null,
            knownHosts,
            false,
            Duration.ofSeconds(10),
            Duration.ofSeconds(10)),
        w -> {});
  }
}
