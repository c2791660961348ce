package io.kfboot.manifests.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copy and navigation of SnakeYAML trees (maps, lists, scalars), for the kfboot code that patches
 * rendered objects: it copies a body deeply first, so a plan's objects are never changed in place.
 */
public final class Trees {
  private Trees() {}

  @SuppressWarnings("unchecked")
  public static <T> T deepCopy(T node) {
    if (node instanceof Map<?, ?> m) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      m.forEach((k, v) -> copy.put(k, deepCopy(v)));
      return (T) copy;
    }
    if (node instanceof List<?> l) {
      List<Object> copy = new ArrayList<>(l.size());
      l.forEach(v -> copy.add(deepCopy(v)));
      return (T) copy;
    }
    return node;
  }

  /** The map at {@code o}, or an empty immutable map; mutable when it came from deepCopy. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** The list at {@code o}, or an empty immutable list; mutable when it came from deepCopy. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /**
   * The mutable map under {@code key} of a mutable map, made (and put there) when absent or not a
   * map.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> child(Map<String, Object> parent, String key) {
    if (parent.get(key) instanceof Map<?, ?> m) {
      return (Map<String, Object>) m;
    }
    Map<String, Object> c = new LinkedHashMap<>();
    parent.put(key, c);
    return c;
  }

  /**
   * The mutable list under {@code key} of a mutable map, made (and put there) when absent or not a
   * list.
   */
  @SuppressWarnings("unchecked")
  public static List<Object> childList(Map<String, Object> parent, String key) {
    if (parent.get(key) instanceof List<?> l) {
      return (List<Object>) l;
    }
    List<Object> c = new ArrayList<>();
    parent.put(key, c);
    return c;
  }

  public static K8sObject withBody(K8sObject o, Map<String, Object> body) {
    return new K8sObject(o.apiVersion(), o.kind(), o.namespace(), o.name(), o.labels(), body);
  }
}
