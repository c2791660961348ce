package io.kfboot.bootstrap.inventory;

import io.kfboot.core.YamlReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * What every section reader of the inventory shares: one line-aware YAML reader whose problems are
 * the inventory's, the warnings, the folder relative paths resolve against, and the patterns more
 * than one section checks. Each section ({@link K3sSection}, {@link HostsSection}, {@link
 * StorageSection}, ...) reads its part into its record in {@link Inventory}.
 */
abstract class InventorySection {
  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  final YamlReader yaml;
  final List<String> problems;
  final List<String> warnings;
  final Path base;

  /** The first reader of a file. */
  InventorySection(Path base) {
    this.yaml = new YamlReader();
    this.problems = yaml.problems();
    this.warnings = new ArrayList<>();
    this.base = base;
  }

  /** A reader of another section of the same file: same problems, same warnings. */
  InventorySection(InventorySection file) {
    this.yaml = file.yaml;
    this.problems = file.problems;
    this.warnings = file.warnings;
    this.base = file.base;
  }

  Map<String, Node> keys(MappingNode node, String where, Set<String> known) {
    return yaml.keys(node, where, known);
  }

  String string(Map<String, Node> m, Node parent, String key, String dflt, boolean required) {
    return yaml.string(m, parent, key, dflt, required);
  }

  String stringOr(Node own, Node shared, String dflt) {
    Node n = own != null ? own : shared;
    return n instanceof ScalarNode s ? s.getValue() : dflt;
  }

  List<String> strings(Node node, String what) {
    return yaml.strings(node, what);
  }

  static String scalar(Node n) {
    return YamlReader.scalar(n);
  }

  static String at(Node n) {
    return YamlReader.at(n);
  }

  static String expandHome(String p) {
    return p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p;
  }

  boolean bool(Map<String, Node> m, Node parent, String key, boolean dflt) {
    return yaml.bool(m, parent, key, dflt);
  }
}
