package io.kfboot.components.catalog;

import io.kfboot.core.Nearest;
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
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a release's catalog data file and validates it as a whole: fields and types, unique ids,
 * known gate types, and a dependency graph without dangling edges or cycles.
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
    Object doc;
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(r);
    } catch (IOException | YAMLException e) {
      throw invalid(source, "is not valid YAML: " + e.getMessage());
    }
    Map<String, Object> top = map(doc, source, "the document");
    unknownKeys(top, TOP_KEYS, source, "the top level");
    String tag = string(top, "release", source, "the top level");
    String commit = string(top, "commit", source, "the top level");
    ReleaseRef release;
    try {
      release = new ReleaseRef(tag, commit);
    } catch (IllegalArgumentException e) {
      throw invalid(source, e.getMessage());
    }
    SemVer minKustomize;
    try {
      minKustomize = SemVer.parse(string(top, "kustomizeMinVersion", source, "the top level"));
    } catch (IllegalArgumentException e) {
      throw invalid(source, "kustomizeMinVersion: " + e.getMessage());
    }
    String example =
        top.containsKey("example") ? string(top, "example", source, "the top level") : "example";
    List<ComponentSpec> components = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (Object item : list(top.get("components"), source, "components")) {
      ComponentSpec c = component(map(item, source, "a component"), source);
      if (!ids.add(c.id())) {
        throw invalid(source, "component id '" + c.id() + "' appears twice");
      }
      components.add(c);
    }
    if (components.isEmpty()) {
      throw invalid(source, "lists no components");
    }
    List<ReleaseCatalog.ExampleDifference> differences = new ArrayList<>();
    for (Object item :
        list(top.getOrDefault("exampleDifferences", List.of()), source, "exampleDifferences")) {
      Map<String, Object> d = map(item, source, "an exampleDifferences entry");
      String direction = string(d, "direction", source, "exampleDifferences");
      if (!direction.equals("onlyInComponents") && !direction.equals("onlyInExample")) {
        throw invalid(
            source,
            "exampleDifferences direction must be onlyInComponents or onlyInExample, got "
                + direction);
      }
      differences.add(
          new ReleaseCatalog.ExampleDifference(
              string(d, "object", source, "exampleDifferences"),
              direction,
              string(d, "reason", source, "exampleDifferences")));
    }
    ReleaseCatalog catalog =
        new ReleaseCatalog(release, minKustomize, example, components, differences);
    ComponentGraph.validate(catalog, source);
    return catalog;
  }

  private static ComponentSpec component(Map<String, Object> m, String source) {
    String id = string(m, "id", source, "a component");
    String where = "component '" + id + "'";
    if (!ID.matcher(id).matches()) {
      throw invalid(source, where + ": ids are lower-case letters, digits and '-'");
    }
    unknownKeys(m, COMPONENT_KEYS, source, where);
    List<String> paths = strings(m.get("paths"), source, where + " paths");
    if (paths.isEmpty()) {
      throw invalid(source, where + " has no paths");
    }
    for (String p : paths) {
      if (p.startsWith("/") || p.contains("..")) {
        throw invalid(source, where + ": path '" + p + "' must be relative to the release root");
      }
    }
    List<Gate> gates = new ArrayList<>();
    for (Object g : list(m.getOrDefault("gates", List.of()), source, where + " gates")) {
      gates.add(gate(g, source, where));
    }
    return new ComponentSpec(
        id,
        m.containsKey("description") ? string(m, "description", source, where) : "",
        paths,
        strings(m.getOrDefault("namespaces", List.of()), source, where + " namespaces"),
        strings(m.getOrDefault("dependsOn", List.of()), source, where + " dependsOn"),
        gates,
        bool(m, "optional", false, source, where),
        bool(m, "default", true, source, where));
  }

  private static Gate gate(Object g, String source, String where) {
    if (g instanceof String s) {
      Gate.Type type = Gate.Type.fromKey(s);
      if (type != Gate.Type.CRDS_ESTABLISHED) {
        throw invalid(
            source,
            where
                + ": gate '"
                + s
                + "' needs a target, e.g. '"
                + s
                + ": namespace/name'"
                + (type == null ? " (known gate types: " + Gate.Type.allKeys() + ")" : ""));
      }
      return new Gate(type, "", List.of());
    }
    Map<String, Object> m = map(g, source, where + " gate");
    Gate.Type type = null;
    String target = null;
    for (var e : m.entrySet()) {
      if (e.getKey().equals("before")) {
        continue;
      }
      Gate.Type t = Gate.Type.fromKey(e.getKey());
      if (t == null || type != null) {
        throw invalid(
            source,
            where
                + ": gate key '"
                + e.getKey()
                + "' is not one gate type of: "
                + Gate.Type.allKeys());
      }
      type = t;
      target = String.valueOf(e.getValue());
    }
    if (type == null || type == Gate.Type.CRDS_ESTABLISHED) {
      throw invalid(
          source,
          where + ": a gate names one of " + Gate.Type.allKeys() + " with a namespace/name target");
    }
    if (!NS_NAME.matcher(target).matches()) {
      throw invalid(
          source,
          where + ": gate " + type.key() + " target '" + target + "' is not namespace/name");
    }
    List<String> before =
        strings(m.getOrDefault("before", List.of()), source, where + " gate before");
    for (String b : before) {
      if (!NS_NAME.matcher(b).matches()) {
        throw invalid(source, where + ": gate before '" + b + "' is not namespace/name");
      }
    }
    return new Gate(type, target, before);
  }

  private static void unknownKeys(
      Map<String, Object> m, Set<String> known, String source, String where) {
    for (String k : m.keySet()) {
      if (!known.contains(k)) {
        throw invalid(
            source,
            where
                + " has unknown key '"
                + k
                + "'"
                + Nearest.to(k, known).map(n -> "; did you mean '" + n + "'?").orElse("")
                + " (known: "
                + String.join(", ", new TreeSet<>(known))
                + ")");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o, String source, String what) {
    if (o instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    throw invalid(source, what + " must be a mapping");
  }

  private static List<?> list(Object o, String source, String what) {
    if (o instanceof List<?> l) {
      return l;
    }
    throw invalid(source, what + " must be a list");
  }

  private static List<String> strings(Object o, String source, String what) {
    List<String> out = new ArrayList<>();
    for (Object item : list(o == null ? List.of() : o, source, what)) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw invalid(source, what + " must be a list of non-empty strings");
      }
      out.add(s);
    }
    return out;
  }

  private static String string(Map<String, Object> m, String key, String source, String where) {
    Object v = m.get(key);
    if (v == null) {
      throw invalid(source, where + " lacks '" + key + "'");
    }
    if (!(v instanceof String) && !(v instanceof Number)) {
      throw invalid(source, where + ": '" + key + "' must be a string");
    }
    return String.valueOf(v);
  }

  private static boolean bool(
      Map<String, Object> m, String key, boolean dflt, String source, String where) {
    Object v = m.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw invalid(source, where + ": '" + key + "' must be true or false");
  }

  static CatalogException invalid(String source, String what) {
    return new CatalogException(
        "catalog " + source + " " + what,
        "fix the catalog data file (see docs/install-engine.md, 'Adding a release')");
  }
}
