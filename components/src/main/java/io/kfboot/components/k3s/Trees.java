package io.kfboot.components.k3s;

import io.kfboot.manifests.parse.K8sObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Copy and navigation of SnakeYAML trees (maps, lists, scalars). */
final class Trees {
  private Trees() {}

  @SuppressWarnings("unchecked")
  static <T> T deepCopy(T node) {
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
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  static K8sObject withBody(K8sObject o, Map<String, Object> body) {
    return new K8sObject(o.apiVersion(), o.kind(), o.namespace(), o.name(), o.labels(), body);
  }
}
