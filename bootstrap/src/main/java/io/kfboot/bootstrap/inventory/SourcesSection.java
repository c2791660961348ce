package io.kfboot.bootstrap.inventory;

import io.kfboot.bootstrap.inventory.Inventory.Airgap;
import io.kfboot.bootstrap.inventory.Inventory.Registries;
import io.kfboot.bootstrap.inventory.Inventory.RegistryAuth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/** {@code registries:} and {@code airgap:}: where images and k3s come from. */
final class SourcesSection extends InventorySection {
  SourcesSection(InventorySection file) {
    super(file);
  }

  Registries registries(Node node) {
    if (node == null) {
      return new Registries(Map.of(), Map.of());
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(at(node) + "registries must be a mapping with mirrors and auth");
      return new Registries(Map.of(), Map.of());
    }
    Map<String, Node> m = keys(mn, "registries", Set.of("mirrors", "auth"));
    Map<String, List<String>> mirrors = new LinkedHashMap<>();
    if (m.get("mirrors") instanceof MappingNode mm) {
      for (NodeTuple t : mm.getValue()) {
        mirrors.put(scalar(t.getKeyNode()), strings(t.getValueNode(), "registries.mirrors"));
      }
    }
    Map<String, RegistryAuth> auth = new LinkedHashMap<>();
    if (m.get("auth") instanceof MappingNode am) {
      for (NodeTuple t : am.getValue()) {
        if (t.getValueNode() instanceof MappingNode an) {
          Map<String, Node> a =
              keys(
                  an,
                  "registries.auth." + scalar(t.getKeyNode()),
                  Set.of("username", "passwordEnv"));
          auth.put(
              scalar(t.getKeyNode()),
              new RegistryAuth(
                  string(a, an, "username", null, true), string(a, an, "passwordEnv", null, true)));
        } else {
          problems.add(
              at(t.getValueNode()) + "registries.auth entries need username and passwordEnv");
        }
      }
    }
    return new Registries(mirrors, auth);
  }

  Airgap airgap(Node node) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(at(node) + "airgap must be a mapping with k3sBinary, images and installScript");
      return null;
    }
    Map<String, Node> m = keys(mn, "airgap", Set.of("k3sBinary", "images", "installScript"));
    Path[] paths = new Path[3];
    String[] names = {"k3sBinary", "images", "installScript"};
    for (int i = 0; i < 3; i++) {
      String p = string(m, mn, names[i], null, true);
      if (p != null) {
        paths[i] = base.resolve(expandHome(p));
        if (!Files.isReadable(paths[i])) {
          problems.add(
              at(m.get(names[i])) + "airgap." + names[i] + " " + paths[i] + " cannot be read");
        }
      }
    }
    return new Airgap(paths[0], paths[1], paths[2]);
  }
}
