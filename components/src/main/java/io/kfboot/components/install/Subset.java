package io.kfboot.components.install;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Whether a live object already holds every field of a desired one, the way server-side apply would
 * leave it: maps are compared key by key (the server may add fields, and a null states no value),
 * lists element by element, numbers by value (YAML and JSON read 1 as int or long).
 */
final class Subset {
  private Subset() {}

  static boolean holds(Object live, Object desired) {
    if (desired instanceof Map<?, ?> d) {
      if (!(live instanceof Map<?, ?> l)) {
        return false;
      }
      for (Map.Entry<?, ?> e : d.entrySet()) {
        // A null in rendered YAML (kubebuilder's "creationTimestamp: null") states no value; the
        // API server fills such fields in.
        if (e.getValue() != null && !holds(l.get(e.getKey()), e.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (desired instanceof List<?> d) {
      if (!(live instanceof List<?> l) || l.size() != d.size()) {
        return false;
      }
      for (int i = 0; i < d.size(); i++) {
        if (!holds(l.get(i), d.get(i))) {
          return false;
        }
      }
      return true;
    }
    if (desired instanceof Number d && live instanceof Number l) {
      return new BigDecimal(d.toString()).compareTo(new BigDecimal(l.toString())) == 0;
    }
    return desired.equals(live);
  }
}
