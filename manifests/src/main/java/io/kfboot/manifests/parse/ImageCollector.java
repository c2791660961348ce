package io.kfboot.manifests.parse;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Finds container images for mirroring and pre-pulling: every string value under a key named {@code
 * image} anywhere in an object. That covers pod templates of every workload kind and custom
 * resources that carry containers (KServe ServingRuntimes, Katib trial templates), without a list
 * of kinds to keep up to date.
 */
public final class ImageCollector {
  private ImageCollector() {}

  public static SortedSet<String> images(Collection<K8sObject> objects) {
    SortedSet<String> images = new TreeSet<>();
    for (K8sObject o : objects) {
      walk(o.body(), images);
    }
    return images;
  }

  private static void walk(Object node, SortedSet<String> out) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if ("image".equals(e.getKey()) && e.getValue() instanceof String s && looksLikeImage(s)) {
          out.add(s);
        } else {
          walk(e.getValue(), out);
        }
      }
    } else if (node instanceof List<?> list) {
      for (Object item : list) {
        walk(item, out);
      }
    }
  }

  static boolean looksLikeImage(String s) {
    return !s.isBlank()
        && s.chars().noneMatch(Character::isWhitespace)
        && !s.contains("{{")
        && !s.startsWith("$");
  }
}
