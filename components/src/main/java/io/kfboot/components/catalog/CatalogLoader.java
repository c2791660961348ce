package io.kfboot.components.catalog;

import io.kfboot.core.Nearest;
import io.kfboot.core.YamlReader;
import io.kfboot.manifests.render.SemVer;
import io.kfboot.manifests.source.ReleaseRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a release's catalog data file and validates it as a whole: fields and types, unique ids,
 * known gate types, and a dependency graph without dangling edges or cycles. It reads through the
 * same line-aware {@link YamlReader} as the inventory: every problem is named with its line, the
 * nearest known key suggested, all at once.
 */
public final class CatalogLoader {
  private static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  private static final Pattern NS_NAME = Pattern.compile("[a-z0-9.-]+/[a-z0-9.-]+");
  private static final Set<String> TOP_KEYS =
      Set.of(
          "release",
          "commit",
          "kustomizeMinVersion",
          "example",
          "components",
          "exampleDifferences");
  private static final Set<String> COMPONENT_KEYS =
      Set.of(
          "id", "description", "paths", "namespaces", "dependsOn", "gates", "optional", "default");

  private CatalogLoader() {}

  public static ReleaseCatalog load(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return load(in, file.toString());
    } catch (IOException e) {
      throw new CatalogException(
          "cannot read catalog " + file + ": " + e.getMessage(), "check the --catalog path");
    }
  }

  public static ReleaseCatalog load(InputStream in, String source) {
    YamlReader yaml = new YamlReader();
    ReleaseCatalog catalog;
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      catalog = read(yaml, r);
    } catch (IOException e) {
      throw invalid(source, "cannot be read: " + e.getMessage());
    }
    if (!yaml.problems().isEmpty()) {
      throw invalid(
          source,
          yaml.problems().size() == 1
              ? yaml.problems().get(0)
              : "has "
                  + yaml.problems().size()
                  + " problems:\n  "
                  + String.join("\n  ", yaml.problems()));
    }
    ComponentGraph.validate(catalog, source);
    return catalog;
  }

  /**
   * The catalog, or null once a problem makes the rest meaningless; every problem in yaml's list.
   */
  private static ReleaseCatalog read(YamlReader yaml, Reader reader) {
    MappingNode top =
        yaml.root(reader, "a mapping with release, commit, kustomizeMinVersion and components")
            .orElse(null);
    if (top == null) {
      return null;
    }
    Map<String, Node> m = yaml.keys(top, "the top level", TOP_KEYS);
    String tag = yaml.string(m, top, "release", null, true);
    String commit = yaml.string(m, top, "commit", null, true);
    String minText = yaml.string(m, top, "kustomizeMinVersion", null, true);
    String example = yaml.string(m, top, "example", "example", false);
    ReleaseRef release = null;
    if (tag != null && commit != null) {
      try {
        release = new ReleaseRef(tag, commit);
      } catch (IllegalArgumentException e) {
        yaml.problem(m.get("commit"), e.getMessage());
      }
    }
    SemVer minKustomize = null;
    if (minText != null) {
      try {
        minKustomize = SemVer.parse(minText);
      } catch (IllegalArgumentException e) {
        yaml.problem(m.get("kustomizeMinVersion"), "kustomizeMinVersion: " + e.getMessage());
      }
    }
    List<ComponentSpec> components = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (MappingNode item : yaml.mappings(m.get("components"), top, "components", true)) {
      ComponentSpec c = component(yaml, item);
      if (c == null) {
        continue;
      }
      if (!ids.add(c.id())) {
        yaml.problem(item, "component id '" + c.id() + "' appears twice");
      }
      components.add(c);
    }
    if (components.isEmpty() && yaml.problems().isEmpty()) {
      yaml.problem(top, "lists no components");
    }
    List<ReleaseCatalog.ExampleDifference> differences = new ArrayList<>();
    for (MappingNode d :
        yaml.mappings(m.get("exampleDifferences"), top, "exampleDifferences", false)) {
      Map<String, Node> dk =
          yaml.keys(d, "an exampleDifferences entry", Set.of("object", "direction", "reason"));
      String direction = yaml.string(dk, d, "direction", "", true);
      if (!direction.isEmpty()
          && !direction.equals("onlyInComponents")
          && !direction.equals("onlyInExample")) {
        yaml.problem(
            dk.get("direction"),
            "exampleDifferences direction must be onlyInComponents or onlyInExample, got "
                + direction);
      }
      differences.add(
          new ReleaseCatalog.ExampleDifference(
              yaml.string(dk, d, "object", "", true),
              direction,
              yaml.string(dk, d, "reason", "", true)));
    }
    if (!yaml.problems().isEmpty()) {
      return null;
    }
    return new ReleaseCatalog(release, minKustomize, example, components, differences);
  }

  private static ComponentSpec component(YamlReader yaml, MappingNode node) {
    Map<String, Node> m = yaml.keys(node, "a component", COMPONENT_KEYS);
    String id = yaml.string(m, node, "id", null, true);
    if (id == null) {
      return null;
    }
    String where = "component '" + id + "'";
    if (!ID.matcher(id).matches()) {
      yaml.problem(m.get("id"), where + ": ids are lower-case letters, digits and '-'");
    }
    List<String> paths = yaml.strings(m.get("paths"), where + " paths");
    if (paths.isEmpty()) {
      yaml.problem(node, where + " has no paths");
    }
    for (String p : paths) {
      if (p.startsWith("/") || p.contains("..")) {
        yaml.problem(
            m.get("paths"), where + ": path '" + p + "' must be relative to the release root");
      }
    }
    List<Gate> gates = new ArrayList<>();
    Node gatesNode = m.get("gates");
    if (gatesNode instanceof SequenceNode seq) {
      for (Node g : seq.getValue()) {
        Gate gate = gate(yaml, g, where);
        if (gate != null) {
          gates.add(gate);
        }
      }
    } else if (gatesNode != null) {
      yaml.problem(gatesNode, where + " gates must be a list");
    }
    return new ComponentSpec(
        id,
        yaml.string(m, node, "description", "", false),
        paths,
        yaml.strings(m.get("namespaces"), where + " namespaces"),
        yaml.strings(m.get("dependsOn"), where + " dependsOn"),
        gates,
        yaml.bool(m, node, "optional", false),
        yaml.bool(m, node, "default", true));
  }

  private static Gate gate(YamlReader yaml, Node g, String where) {
    if (g instanceof ScalarNode s) {
      Gate.Type type = Gate.Type.fromKey(s.getValue());
      if (type != Gate.Type.CRDS_ESTABLISHED) {
        yaml.problem(
            g,
            where
                + ": gate '"
                + s.getValue()
                + "' needs a target, e.g. '"
                + s.getValue()
                + ": namespace/name'"
                + (type == null ? " (known gate types: " + Gate.Type.allKeys() + ")" : ""));
        return null;
      }
      return new Gate(type, "", List.of());
    }
    if (!(g instanceof MappingNode gm)) {
      yaml.problem(g, where + " gate must be a gate type or a mapping");
      return null;
    }
    Gate.Type type = null;
    String target = null;
    List<String> before = List.of();
    for (NodeTuple t : gm.getValue()) {
      String key = YamlReader.scalar(t.getKeyNode());
      if (key.equals("before")) {
        before = yaml.strings(t.getValueNode(), where + " gate before");
        continue;
      }
      Gate.Type found = Gate.Type.fromKey(key);
      if (found == null || type != null) {
        yaml.problem(
            t.getKeyNode(),
            where
                + ": gate key '"
                + key
                + "' is not one gate type of: "
                + Gate.Type.allKeys()
                + Nearest.to(key, Gate.Type.keys())
                    .map(n -> "; did you mean '" + n + "'?")
                    .orElse(""));
        return null;
      }
      type = found;
      target = YamlReader.scalar(t.getValueNode());
    }
    if (type == null || type == Gate.Type.CRDS_ESTABLISHED) {
      yaml.problem(
          g,
          where + ": a gate names one of " + Gate.Type.allKeys() + " with a namespace/name target");
      return null;
    }
    if (!NS_NAME.matcher(target).matches()) {
      yaml.problem(
          g, where + ": gate " + type.key() + " target '" + target + "' is not namespace/name");
      return null;
    }
    for (String b : before) {
      if (!NS_NAME.matcher(b).matches()) {
        yaml.problem(g, where + ": gate before '" + b + "' is not namespace/name");
      }
    }
    return new Gate(type, target, before);
  }

  /** The mappings of a list; a problem for anything else (and for an absent required list). */
  static CatalogException invalid(String source, String what) {
    return new CatalogException(
        "catalog " + source + " " + what,
        "fix the catalog data file (see docs/install-engine.md, 'Adding a release')");
  }
}
