package io.kfboot.bootstrap.k3s;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * k3s' admin kubeconfig made usable from elsewhere: the server URL pointed at the API endpoint
 * instead of 127.0.0.1, and the cluster, user and context named after the cluster, then merged into
 * an existing kubeconfig (entries of the same name replaced, others kept). Pure functions; the
 * caller writes the result with mode 0600.
 */
public final class Kubeconfigs {
  private Kubeconfigs() {}

  private static Yaml yaml() {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(o), o);
  }

  /** k3s.yaml with its one cluster, user and context renamed to {@code name} and its server set. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> fromK3s(String k3sYaml, String name, String serverUrl) {
    Map<String, Object> k = yaml().load(k3sYaml);
    List<Map<String, Object>> clusters = (List<Map<String, Object>>) k.get("clusters");
    List<Map<String, Object>> users = (List<Map<String, Object>>) k.get("users");
    if (clusters == null || clusters.size() != 1 || users == null || users.size() != 1) {
      throw new IllegalArgumentException("k3s.yaml should hold exactly one cluster and one user");
    }
    Map<String, Object> cluster =
        new LinkedHashMap<>((Map<String, Object>) clusters.get(0).get("cluster"));
    cluster.put("server", serverUrl);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("apiVersion", "v1");
    out.put("kind", "Config");
    out.put("clusters", List.of(entry(name, "cluster", cluster)));
    out.put("users", List.of(entry(name, "user", users.get(0).get("user"))));
    Map<String, Object> context = new LinkedHashMap<>();
    context.put("cluster", name);
    context.put("user", name);
    out.put("contexts", List.of(entry(name, "context", context)));
    out.put("current-context", name);
    return out;
  }

  /** An ordered {name, key: value} entry, so that output is stable. */
  private static Map<String, Object> entry(String name, String key, Object value) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put(key, value);
    return m;
  }

  /** {@code existing} (may be empty) with the entries of {@code add} merged in, as YAML. */
  @SuppressWarnings("unchecked")
  public static String merge(String existing, Map<String, Object> add) {
    Map<String, Object> base =
        existing == null || existing.isBlank()
            ? new LinkedHashMap<>()
            : new LinkedHashMap<>(yaml().load(existing));
    base.putIfAbsent("apiVersion", "v1");
    base.putIfAbsent("kind", "Config");
    for (String section : List.of("clusters", "users", "contexts")) {
      List<Map<String, Object>> merged = new ArrayList<>();
      List<Map<String, Object>> added = (List<Map<String, Object>>) add.get(section);
      List<String> names = added.stream().map(m -> String.valueOf(m.get("name"))).toList();
      for (Map<String, Object> e :
          (List<Map<String, Object>>) base.getOrDefault(section, List.of())) {
        if (!names.contains(String.valueOf(e.get("name")))) {
          merged.add(e);
        }
      }
      merged.addAll(added);
      base.put(section, merged);
    }
    Object current = base.get("current-context");
    if (current == null || String.valueOf(current).isBlank()) {
      base.put("current-context", add.get("current-context"));
    }
    return yaml().dump(base);
  }
}
