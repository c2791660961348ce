package io.kfboot.components.catalog;

import io.kfboot.components.catalog.CatalogException.UnknownComponentException;
import io.kfboot.core.Nearest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code dependsOn} graph of a catalog: validation, selection and install waves.
 *
 * <p>A wave holds components whose dependencies are all in earlier waves; the wave of a component
 * is one more than the highest wave among its dependencies (longest path from a root), so every
 * component starts as early as its dependencies allow.
 */
public final class ComponentGraph {
  private ComponentGraph() {}

  /** Refuses dangling edges, self-edges and cycles; names the cycle. */
  static void validate(ReleaseCatalog catalog, String source) {
    Map<String, ComponentSpec> byId = catalog.byId();
    for (ComponentSpec c : catalog.components()) {
      for (String dep : c.dependsOn()) {
        if (!byId.containsKey(dep)) {
          throw CatalogLoader.invalid(
              source,
              "component '"
                  + c.id()
                  + "' depends on '"
                  + dep
                  + "', which the catalog does not list");
        }
        if (dep.equals(c.id())) {
          throw CatalogLoader.invalid(source, "component '" + c.id() + "' depends on itself");
        }
      }
    }
    List<String> cycle = findCycle(byId);
    if (!cycle.isEmpty()) {
      throw CatalogLoader.invalid(source, "has a dependsOn cycle: " + String.join(" -> ", cycle));
    }
  }

  private static List<String> findCycle(Map<String, ComponentSpec> byId) {
    Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
    Deque<String> stack = new ArrayDeque<>();
    for (String id : byId.keySet()) {
      List<String> cycle = dfs(id, byId, state, stack);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    return List.of();
  }

  private static List<String> dfs(
      String id, Map<String, ComponentSpec> byId, Map<String, Integer> state, Deque<String> stack) {
    Integer s = state.get(id);
    if (s != null && s == 2) {
      return List.of();
    }
    if (s != null && s == 1) {
      List<String> path = new ArrayList<>(stack);
      Collections.reverse(path);
      List<String> cycle = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
      cycle.add(id);
      return cycle;
    }
    state.put(id, 1);
    stack.push(id);
    for (String dep : byId.get(id).dependsOn()) {
      List<String> cycle = dfs(dep, byId, state, stack);
      if (!cycle.isEmpty()) {
        return cycle;
      }
    }
    stack.pop();
    state.put(id, 2);
    return List.of();
  }

  /**
   * The components to install: {@code requested} (or the defaults when empty) plus everything they
   * depend on, minus {@code without}. Refuses unknown ids, and a {@code without} that a kept
   * component needs.
   */
  public static List<ComponentSpec> select(
      ReleaseCatalog catalog, Collection<String> requested, Collection<String> without) {
    Map<String, ComponentSpec> byId = catalog.byId();
    for (String id : concat(requested, without)) {
      if (!byId.containsKey(id)) {
        throw new UnknownComponentException(
            "release "
                + catalog.release().tag()
                + " has no component '"
                + id
                + "'"
                + suggestion(id, byId.keySet()),
            "use ids from: " + String.join(", ", byId.keySet()));
      }
    }
    Set<String> roots = new LinkedHashSet<>();
    if (requested.isEmpty()) {
      catalog.defaults().forEach(c -> roots.add(c.id()));
    } else {
      roots.addAll(requested);
    }
    roots.removeAll(without);
    Set<String> chosen = new LinkedHashSet<>();
    Deque<String> queue = new ArrayDeque<>(roots);
    while (!queue.isEmpty()) {
      String id = queue.removeFirst();
      if (!chosen.add(id)) {
        continue;
      }
      for (String dep : byId.get(id).dependsOn()) {
        if (without.contains(dep)) {
          throw new CatalogException(
              "component '" + id + "' needs '" + dep + "', which --without leaves out",
              "leave out '" + id + "' too, or keep '" + dep + "'");
        }
        queue.add(dep);
      }
    }
    // Catalog order, so that output is stable whatever order the user typed.
    return catalog.components().stream().filter(c -> chosen.contains(c.id())).toList();
  }

  /** Wave number of each selected component, 0 for those without dependencies. */
  public static Map<String, Integer> waves(List<ComponentSpec> selected) {
    Map<String, ComponentSpec> byId = new LinkedHashMap<>();
    selected.forEach(c -> byId.put(c.id(), c));
    Map<String, Integer> wave = new HashMap<>();
    for (ComponentSpec c : selected) {
      waveOf(c.id(), byId, wave);
    }
    Map<String, Integer> ordered = new LinkedHashMap<>();
    selected.forEach(c -> ordered.put(c.id(), wave.get(c.id())));
    return ordered;
  }

  private static int waveOf(String id, Map<String, ComponentSpec> byId, Map<String, Integer> memo) {
    Integer known = memo.get(id);
    if (known != null) {
      return known;
    }
    int w = 0;
    for (String dep : byId.get(id).dependsOn()) {
      if (byId.containsKey(dep)) {
        w = Math.max(w, waveOf(dep, byId, memo) + 1);
      }
    }
    memo.put(id, w);
    return w;
  }

  /** Selected components grouped by wave, waves in order, catalog order inside a wave. */
  public static List<List<ComponentSpec>> inWaves(List<ComponentSpec> selected) {
    Map<String, Integer> wave = waves(selected);
    TreeMap<Integer, List<ComponentSpec>> groups = new TreeMap<>();
    for (ComponentSpec c : selected) {
      groups.computeIfAbsent(wave.get(c.id()), w -> new ArrayList<>()).add(c);
    }
    return new ArrayList<>(groups.values());
  }

  private static List<String> concat(Collection<String> a, Collection<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String suggestion(String id, Set<String> known) {
    return Nearest.to(id, known).map(best -> " (did you mean '" + best + "'?)").orElse("");
  }
}
