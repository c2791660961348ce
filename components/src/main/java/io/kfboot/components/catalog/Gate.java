package io.kfboot.components.catalog;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A readiness condition of a component: what must hold before its dependents start or, with {@link
 * #before()}, before some of its own objects are applied.
 *
 * @param type what is checked
 * @param target "namespace/name" of the object checked; empty for {@link Type#CRDS_ESTABLISHED}
 * @param before "namespace/name" of workloads of the same component held back until it holds
 */
public record Gate(Type type, String target, List<String> before) {
  public enum Type {
    CRDS_ESTABLISHED("crds-established", null),
    DEPLOYMENT_AVAILABLE("deployment-available", "Deployment"),
    STATEFULSET_READY("statefulset-ready", "StatefulSet"),
    DAEMONSET_READY("daemonset-ready", "DaemonSet"),
    SERVICE_ENDPOINTS("service-endpoints", "Service");

    private final String key;
    private final String kind;

    Type(String key, String kind) {
      this.key = key;
      this.kind = kind;
    }

    /** The spelling in data files and JSON. */
    public String key() {
      return key;
    }

    /** The kind of object the target names; null for gates without a target. */
    public String kind() {
      return kind;
    }

    public static Type fromKey(String key) {
      for (Type t : values()) {
        if (t.key.equals(key)) {
          return t;
        }
      }
      return null;
    }

    static Set<String> keys() {
      return Arrays.stream(values()).map(Type::key).collect(Collectors.toSet());
    }

    static String allKeys() {
      return String.join(", ", Arrays.stream(values()).map(Type::key).toList());
    }
  }

  public Gate {
    target = target == null ? "" : target;
    before = before == null ? List.of() : List.copyOf(before);
  }

  public String namespace() {
    int slash = target.indexOf('/');
    return slash < 0 ? "" : target.substring(0, slash);
  }

  public String name() {
    int slash = target.indexOf('/');
    return slash < 0 ? target : target.substring(slash + 1);
  }

  /** "deployment-available kubeflow/mysql (before kubeflow/ml-pipeline)". */
  public String describe() {
    String s = type.key() + (target.isEmpty() ? "" : " " + target);
    return before.isEmpty() ? s : s + " (before " + String.join(", ", before) + ")";
  }

  @Override
  public String toString() {
    return describe().toLowerCase(Locale.ROOT);
  }
}
