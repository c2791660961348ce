package io.kfboot.bootstrap.inventory;

import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.inventory.Inventory.Nfs;
import io.kfboot.bootstrap.inventory.Inventory.StaticVolume;
import io.kfboot.bootstrap.inventory.Inventory.Storage;
import io.kfboot.bootstrap.inventory.Inventory.StorageMode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** {@code storage:}: the mode, local-path's directory, the NFS export and its fixed volumes. */
final class StorageSection extends InventorySection {
  StorageSection(InventorySection file) {
    super(file);
  }

  Storage read(Node node, List<Host> hosts) {
    if (node == null) {
      return Storage.DEFAULTS;
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(at(node) + "storage must be a mapping with mode (" + StorageMode.keys() + ")");
      return Storage.DEFAULTS;
    }
    Map<String, Node> m = keys(mn, "storage", Set.of("mode", "localPath", "nfs"));
    String modeText = string(m, mn, "mode", "local-path", false);
    StorageMode mode = StorageMode.fromKey(modeText);
    if (mode == null) {
      problems.add(
          at(m.get("mode")) + "storage.mode '" + modeText + "' is none of " + StorageMode.keys());
      return Storage.DEFAULTS;
    }
    String localPath = string(m, mn, "localPath", null, false);
    if (localPath != null && !localPath.startsWith("/")) {
      problems.add(
          at(m.get("localPath"))
              + "storage.localPath '"
              + localPath
              + "' must be an absolute path");
    }
    Nfs nfs = null;
    if (mode.nfs()) {
      if (!(m.get("nfs") instanceof MappingNode nm)) {
        problems.add(
            at(m.get("nfs") != null ? m.get("nfs") : node)
                + "storage.mode "
                + mode.key()
                + " needs storage.nfs with server (an inventory host's name or an address)");
        return new Storage(mode, localPath, null);
      }
      nfs = nfs(nm, mode, hosts);
    } else if (m.get("nfs") != null) {
      problems.add(
          at(m.get("nfs"))
              + "storage.nfs is used only with mode nfs or nfs-static, not "
              + mode.key());
    }
    return new Storage(mode, localPath, nfs);
  }

  private Nfs nfs(MappingNode nm, StorageMode mode, List<Host> hosts) {
    Map<String, Node> m = keys(nm, "storage.nfs", Set.of("server", "path", "options", "volumes"));
    String server = string(m, nm, "server", null, true);
    String path = string(m, nm, "path", Nfs.DEFAULT_PATH, false);
    if (!path.startsWith("/") || path.equals("/") || path.contains("..")) {
      problems.add(
          at(m.get("path"))
              + "storage.nfs.path '"
              + path
              + "' must be an absolute directory other than /, without '..'");
    }
    String options = string(m, nm, "options", Nfs.DEFAULT_OPTIONS, false);
    if (!options.matches("[a-z_]+(=[A-Za-z0-9_:./-]+)?(,[a-z_]+(=[A-Za-z0-9_:./-]+)?)*")) {
      problems.add(
          at(m.get("options"))
              + "storage.nfs.options '"
              + options
              + "' is not a comma-separated list of exports(5) options, e.g. "
              + Nfs.DEFAULT_OPTIONS);
    }
    Host serverHost =
        server == null
            ? null
            : hosts.stream().filter(h -> server.equals(h.name())).findFirst().orElse(null);
    List<StaticVolume> volumes = new ArrayList<>();
    Node vn = m.get("volumes");
    if (vn instanceof SequenceNode vs) {
      Set<String> seen = new HashSet<>();
      for (Node v : vs.getValue()) {
        if (!(v instanceof MappingNode vm)) {
          problems.add(at(v) + "a storage.nfs.volumes entry must be a mapping with name and size");
          continue;
        }
        Map<String, Node> vk = keys(vm, "a storage.nfs.volumes entry", Set.of("name", "size"));
        String name = string(vk, vm, "name", null, true);
        String size = string(vk, vm, "size", null, true);
        if (name != null && !DNS_LABEL.matcher(name).matches()) {
          problems.add(
              at(vk.get("name"))
                  + "volume name '"
                  + name
                  + "' must be a DNS label, e.g. katib-mysql");
        } else if (name != null && !seen.add(name)) {
          problems.add(at(vk.get("name")) + "volume name '" + name + "' is used twice");
        }
        if (size != null && !size.matches("[1-9][0-9]*(Mi|Gi|Ti)")) {
          problems.add(
              at(vk.get("size"))
                  + "volume size '"
                  + size
                  + "' must be a whole number of Mi, Gi or Ti, e.g. 20Gi");
        }
        volumes.add(new StaticVolume(name, size));
      }
    } else if (vn != null) {
      problems.add(at(vn) + "storage.nfs.volumes must be a list of {name, size}");
    }
    if (mode == StorageMode.NFS_STATIC && volumes.isEmpty()) {
      problems.add(
          at(nm)
              + "storage.mode nfs-static needs storage.nfs.volumes: the fixed volumes to make, e.g."
              + " [{name: pv-1, size: 20Gi}]");
    }
    if (mode == StorageMode.NFS && !volumes.isEmpty()) {
      problems.add(
          at(vn) + "storage.nfs.volumes is for mode nfs-static; mode nfs makes a volume per claim");
    }
    return new Nfs(
        serverHost == null ? null : serverHost.name(),
        serverHost == null ? server : serverHost.address(),
        path,
        options,
        List.copyOf(volumes));
  }
}
