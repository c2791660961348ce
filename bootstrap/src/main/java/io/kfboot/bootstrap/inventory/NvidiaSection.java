package io.kfboot.bootstrap.inventory;

import io.kfboot.bootstrap.inventory.Inventory.Nvidia;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/** {@code nvidia:}: driver, time-slicing, GPU Operator. */
final class NvidiaSection extends InventorySection {
  NvidiaSection(InventorySection file) {
    super(file);
  }

  Nvidia read(Node node) {
    if (node == null) {
      return Nvidia.DEFAULTS;
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(
          at(node) + "nvidia must be a mapping with installDriver, timeSlicing and operator");
      return Nvidia.DEFAULTS;
    }
    Map<String, Node> m = keys(mn, "nvidia", Set.of("installDriver", "timeSlicing", "operator"));
    boolean installDriver = bool(m, mn, "installDriver", false);
    boolean operator = bool(m, mn, "operator", false);
    String slices = string(m, mn, "timeSlicing", "1", false);
    int timeSlicing = 1;
    try {
      timeSlicing = Integer.parseInt(slices);
      if (timeSlicing < 1 || timeSlicing > 64) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      problems.add(
          at(m.get("timeSlicing"))
              + "nvidia.timeSlicing '"
              + slices
              + "' must be a number of pods per GPU from 1 (no sharing) to 64");
    }
    if (operator && (installDriver || timeSlicing > 1)) {
      problems.add(
          at(node)
              + "nvidia.operator: true leaves the driver and device plugin to the GPU Operator;"
              + " drop installDriver and timeSlicing and configure them in the operator's"
              + " ClusterPolicy");
    }
    return new Nvidia(installDriver, timeSlicing, operator);
  }
}
