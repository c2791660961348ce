package io.kfboot.bootstrap.inventory;

import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.core.YamlReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * {@code hosts:} with the {@code ssh:} defaults they inherit: names, addresses, roles, labels,
 * taints.
 */
final class HostsSection extends InventorySection {
  private static final Pattern IPV4ISH = Pattern.compile("[0-9.]+");
  private static final Pattern HOSTNAME =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

  static final Pattern TAINT =
      Pattern.compile("[A-Za-z0-9./-]+(=[A-Za-z0-9._-]*)?:(NoSchedule|PreferNoSchedule|NoExecute)");

  HostsSection(InventorySection file) {
    super(file);
  }

  List<Host> read(Node node, MappingNode top, Map<String, Node> ssh) {
    List<Host> hosts = new ArrayList<>();
    if (!(node instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
      problems.add((node == null ? at(top) : at(node)) + "hosts must list at least one host");
      return hosts;
    }
    Set<String> names = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (Node h : seq.getValue()) {
      if (!(h instanceof MappingNode hm)) {
        problems.add(at(h) + "a host must be a mapping with name, address and role");
        continue;
      }
      Map<String, Node> m =
          keys(
              hm,
              "a host",
              Set.of(
                  "name", "address", "port", "user", "key", "sudo", "role", "labels", "taints",
                  "gpu"));
      String name = string(m, hm, "name", null, true);
      String address = string(m, hm, "address", null, true);
      if (address != null && !validAddress(address)) {
        problems.add(
            at(m.get("address"))
                + "address '"
                + address
                + "' is neither an IP address nor a host name"
                + " (an IPv4 address has four numbers from 0 to 255, e.g. 10.0.0.11)");
      }
      if (name != null && !names.add(name)) {
        problems.add(
            at(m.get("name"))
                + "host name '"
                + name
                + "' is used twice; host names must be unique (k3s node names)");
      }
      if (name != null && !DNS_LABEL.matcher(name).matches()) {
        problems.add(
            at(m.get("name")) + "host name '" + name + "' must be a DNS label, e.g. gpu-1");
      }
      String port = stringOr(m.get("port"), ssh.get("port"), "22");
      if (address != null && !addresses.add(address + ":" + port)) {
        problems.add(at(m.get("address")) + "address " + address + ":" + port + " is listed twice");
      }
      int portNumber = 22;
      try {
        portNumber = Integer.parseInt(port);
        if (portNumber < 1 || portNumber > 65535) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        problems.add(
            at(m.get("port") != null ? m.get("port") : ssh.get("port"))
                + "port '"
                + port
                + "' is no TCP port");
      }
      String user = stringOr(m.get("user"), ssh.get("user"), "root");
      String key = stringOr(m.get("key"), ssh.get("key"), null);
      Path keyPath = null;
      if (key != null) {
        keyPath = base.resolve(expandHome(key));
        if (!Files.isReadable(keyPath)) {
          problems.add(
              at(m.get("key") != null ? m.get("key") : ssh.get("key"))
                  + "key file "
                  + keyPath
                  + " cannot be read");
        }
      }
      String sudoText =
          stringOr(m.get("sudo"), ssh.get("sudo"), String.valueOf(!"root".equals(user)));
      Boolean sudoValue = YamlReader.yamlBoolean(sudoText);
      if (sudoValue == null) {
        problems.add(
            at(m.get("sudo") != null ? m.get("sudo") : ssh.get("sudo"))
                + "sudo must be true or false, not '"
                + sudoText
                + "'");
      }
      boolean sudo = sudoValue == null ? !"root".equals(user) : sudoValue;
      String roleText = string(m, hm, "role", null, true);
      Role role = null;
      if (roleText != null) {
        switch (roleText) {
          case "server" -> role = Role.SERVER;
          case "agent" -> role = Role.AGENT;
          default ->
              problems.add(
                  at(m.get("role")) + "role '" + roleText + "' is neither server nor agent");
        }
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.get("labels") instanceof MappingNode lm) {
        for (NodeTuple t : lm.getValue()) {
          labels.put(scalar(t.getKeyNode()), scalar(t.getValueNode()));
        }
      }
      List<String> taints = strings(m.get("taints"), "taints");
      for (String taint : taints) {
        if (!TAINT.matcher(taint).matches()) {
          problems.add(
              at(m.get("taints"))
                  + "taint '"
                  + taint
                  + "' is not key=value:Effect (NoSchedule, PreferNoSchedule or NoExecute)");
        }
      }
      boolean gpu = bool(m, hm, "gpu", false);
      hosts.add(
          new Host(
              name,
              address,
              portNumber,
              user,
              keyPath,
              sudo,
              role,
              Map.copyOf(labels),
              taints,
              gpu));
    }
    long servers = hosts.stream().filter(h -> h.role() == Role.SERVER).count();
    if (servers == 0) {
      problems.add(at(node) + "no host has role server; k3s needs at least one");
    } else if (servers > 1 && servers % 2 == 0) {
      warnings.add(
          servers
              + " servers: embedded etcd needs a majority, so "
              + servers
              + " survive no more failures than "
              + (servers - 1)
              + "; use an odd number (3, 5, 7)");
    }
    return hosts;
  }

  /** An IPv4 address (four numbers 0-255), an IPv6 address, or a host name. */
  static boolean validAddress(String a) {
    if (IPV4ISH.matcher(a).matches()) {
      String[] parts = a.split("\\.", -1);
      if (parts.length != 4) {
        return false;
      }
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
          return false;
        }
      }
      return true;
    }
    if (a.contains(":")) {
      return a.matches("[0-9A-Fa-f:.]+") && a.chars().filter(c -> c == ':').count() >= 2;
    }
    return a.length() <= 253 && HOSTNAME.matcher(a).matches();
  }
}
