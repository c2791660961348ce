package io.kfboot.core;

import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a YAML document the way kfboot's loaders need: node by node, so that every problem names
 * its line; collecting problems instead of stopping at the first, so that a person fixes them all
 * in one go; unknown keys answered with the nearest known one. The inventory, the catalog and the
 * stack config all read through it.
 */
public final class YamlReader {
  private final List<String> problems = new ArrayList<>();

  /**
   * Every problem found so far, each starting with its line where it has one. Mutable: loaders add
   * theirs.
   */
  public List<String> problems() {
    return problems;
  }

  public void problem(Node at, String message) {
    problems.add(at(at) + message);
  }

  /**
   * The document's root mapping, or empty (with the problem recorded) when it is no YAML or no
   * mapping.
   */
  public Optional<MappingNode> root(Reader reader, String expected) {
    int before = problems.size();
    Node root = document(reader).orElse(null);
    if (problems.size() > before) {
      return Optional.empty();
    }
    if (!(root instanceof MappingNode top)) {
      problems.add("line 1: expected " + expected);
      return Optional.empty();
    }
    return Optional.of(top);
  }

  /** The document's root node of any kind; empty for an empty document or (a problem) no YAML. */
  public Optional<Node> document(Reader reader) {
    try {
      return Optional.ofNullable(
          new Yaml(new SafeConstructor(new LoaderOptions())).compose(reader));
    } catch (YAMLException e) {
      problems.add("not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
      return Optional.empty();
    }
  }

  /** The mapping's keys; an unknown one is a problem, with the nearest known key suggested. */
  public Map<String, Node> keys(MappingNode node, String where, Set<String> known) {
    Map<String, Node> out = new LinkedHashMap<>();
    for (NodeTuple t : node.getValue()) {
      String k = scalar(t.getKeyNode());
      if (!known.contains(k)) {
        problem(
            t.getKeyNode(),
            "unknown key '"
                + k
                + "' in "
                + where
                + Nearest.to(k, known)
                    .map(n -> "; did you mean '" + n + "'?")
                    .orElse("; known keys: " + String.join(", ", new TreeSet<>(known))));
        continue;
      }
      if (out.put(k, t.getValueNode()) != null) {
        problem(t.getKeyNode(), "key '" + k + "' is given twice in " + where);
      }
    }
    return out;
  }

  /** A single value; {@code dflt} where absent (a problem if {@code required}) or not a scalar. */
  public String string(
      Map<String, Node> m, Node parent, String key, String dflt, boolean required) {
    Node n = m.get(key);
    if (n == null) {
      if (required) {
        problem(parent, key + " is missing");
      }
      return dflt;
    }
    if (!(n instanceof ScalarNode s)) {
      problem(n, key + " must be a single value");
      return dflt;
    }
    return s.getValue();
  }

  /**
   * true or false (YAML 1.1 also allows yes/no, on/off); anything else is a problem, never a silent
   * false.
   */
  public boolean bool(Map<String, Node> m, Node parent, String key, boolean dflt) {
    String v = string(m, parent, key, String.valueOf(dflt), false);
    Boolean b = yamlBoolean(v);
    if (b == null) {
      problem(m.get(key), key + " must be true or false, not '" + v + "'");
      return dflt;
    }
    return b;
  }

  /**
   * A whole number from {@code min} to {@code max}; {@code dflt} where absent or wrong (a problem).
   */
  public int integer(Map<String, Node> m, Node parent, String key, int dflt, int min, int max) {
    String v = string(m, parent, key, null, false);
    if (v == null) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problem(
        m.get(key),
        key + " must be a whole number from " + min + " to " + max + ", not '" + v + "'");
    return dflt;
  }

  /** A list of single values; empty where absent. */
  public List<String> strings(Node node, String what) {
    if (node == null) {
      return List.of();
    }
    if (!(node instanceof SequenceNode seq)) {
      problem(node, what + " must be a list");
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (Node n : seq.getValue()) {
      if (n instanceof ScalarNode s) {
        out.add(s.getValue());
      } else {
        problem(n, what + " must hold single values, not lists or mappings");
      }
    }
    return List.copyOf(out);
  }

  /** A list of mappings; empty where absent (a problem if {@code required}) or not a list. */
  public List<MappingNode> mappings(Node node, Node parent, String what, boolean required) {
    if (node == null) {
      if (required) {
        problem(parent, what + " is missing");
      }
      return List.of();
    }
    if (!(node instanceof SequenceNode seq)) {
      problem(node, what + " must be a list");
      return List.of();
    }
    List<MappingNode> out = new ArrayList<>();
    for (Node n : seq.getValue()) {
      if (n instanceof MappingNode mn) {
        out.add(mn);
      } else {
        problem(n, "an entry of " + what + " must be a mapping");
      }
    }
    return out;
  }

  /** A boolean as SnakeYAML's YAML 1.1 resolver reads one, in any case; null for anything else. */
  public static Boolean yamlBoolean(String v) {
    return switch (v == null ? "" : v.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on", "y" -> Boolean.TRUE;
      case "false", "no", "off", "n" -> Boolean.FALSE;
      default -> null;
    };
  }

  public static String scalar(Node n) {
    return n instanceof ScalarNode s ? s.getValue() : String.valueOf(n);
  }

  /** "line N: " for a node, "" without one. */
  public static String at(Node n) {
    return n == null ? "" : "line " + (n.getStartMark().getLine() + 1) + ": ";
  }
}
