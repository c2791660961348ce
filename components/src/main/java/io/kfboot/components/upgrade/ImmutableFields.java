package io.kfboot.components.upgrade;

import io.kfboot.manifests.parse.K8sObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the changes between two renders of an object that the API server refuses to make in place
 * (it answers 422 "field is immutable"), so that an upgrade deletes and recreates that object
 * first, or stops with the fix where recreating would lose data. A pure function; the rules are the
 * API server's own validation (links per rule).
 */
public final class ImmutableFields {
  private ImmutableFields() {}

  /** What to do about a field that cannot change in place. */
  public enum Resolution {
    /** delete the object, then apply the new one (its pods restart; no data lives in it) */
    RECREATE,
    /** rewrite the CRD's objects into a version the new CRD keeps, then trim storedVersions */
    MIGRATE_STORED_VERSION,
    /** kfboot will not: recreating it would lose data; the fix says what a person can do */
    REFUSE
  }

  /**
   * One field that cannot change in place.
   *
   * @param field "spec.selector", "roleRef", "spec.versions[v1alpha1]"
   * @param detail what changed, from what to what (no values of Secrets)
   */
  public record Conflict(String field, Resolution resolution, String detail) {}

  private static final Set<String> WORKLOADS =
      Set.of("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet");

  /**
   * StatefulSet spec fields the API server lets an update change
   * (https://github.com/kubernetes/kubernetes/blob/v1.32.0/pkg/apis/apps/validation/validation.go,
   * ValidateStatefulSetUpdate); any other change is refused.
   */
  private static final Set<String> STATEFULSET_MUTABLE =
      Set.of(
          "replicas",
          "template",
          "updateStrategy",
          "persistentVolumeClaimRetentionPolicy",
          "minReadySeconds",
          "ordinals",
          "revisionHistoryLimit");

  /** The conflicts between the old and new render of one object (same key); empty when none. */
  public static List<Conflict> between(K8sObject before, K8sObject after) {
    List<Conflict> out = new ArrayList<>();
    String kind = after.kind();
    Map<?, ?> oldSpec = map(before.body().get("spec"));
    Map<?, ?> newSpec = map(after.body().get("spec"));
    if (WORKLOADS.contains(kind) && after.group().equals("apps")) {
      // apps/v1 selectors are immutable
      // (https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#label-selector-updates)
      changed(
          out,
          "spec.selector",
          oldSpec.get("selector"),
          newSpec.get("selector"),
          Resolution.RECREATE);
      if (kind.equals("StatefulSet")) {
        Set<Object> keys = new TreeSet<>();
        keys.addAll(stringKeys(oldSpec));
        keys.addAll(stringKeys(newSpec));
        for (Object k : keys) {
          if (!STATEFULSET_MUTABLE.contains(k) && !k.equals("selector")) {
            changed(out, "spec." + k, oldSpec.get(k), newSpec.get(k), Resolution.RECREATE);
          }
        }
      }
    }
    if (kind.equals("Job") && after.group().equals("batch")) {
      // a Job's pod template is immutable once created
      changed(
          out,
          "spec.template",
          oldSpec.get("template"),
          newSpec.get("template"),
          Resolution.RECREATE);
    }
    if ((kind.equals("RoleBinding") || kind.equals("ClusterRoleBinding"))
        && after.group().equals("rbac.authorization.k8s.io")) {
      // https://kubernetes.io/docs/reference/access-authn-authz/rbac/#clusterrolebinding-example
      changed(
          out,
          "roleRef",
          before.body().get("roleRef"),
          after.body().get("roleRef"),
          Resolution.RECREATE);
    }
    if (kind.equals("PersistentVolumeClaim") && after.group().isEmpty()) {
      // only a larger storage request may change (volume expansion); anything else needs a new
      // claim
      Map<String, Object> o = withoutStorageRequest(oldSpec);
      Map<String, Object> n = withoutStorageRequest(newSpec);
      if (!Objects.equals(o, n)) {
        out.add(
            new Conflict(
                "spec",
                Resolution.REFUSE,
                "the claim's spec changes beyond its size; a new claim would be a new, empty"
                    + " volume"));
      }
    }
    if ((kind.equals("ConfigMap") || kind.equals("Secret")) && after.group().isEmpty()) {
      boolean immutable =
          Boolean.TRUE.equals(before.body().get("immutable"))
              || Boolean.TRUE.equals(after.body().get("immutable"));
      if (immutable
          && (!Objects.equals(before.body().get("data"), after.body().get("data"))
              || !Objects.equals(
                  before.body().get("binaryData"), after.body().get("binaryData")))) {
        out.add(new Conflict("data", Resolution.RECREATE, "immutable: true and its data changes"));
      }
    }
    if (before.isCrd() && after.isCrd()) {
      if (!Objects.equals(oldSpec.get("scope"), newSpec.get("scope"))) {
        out.add(
            new Conflict(
                "spec.scope",
                Resolution.REFUSE,
                oldSpec.get("scope") + " -> " + newSpec.get("scope")));
      }
      Set<String> kept = versions(newSpec, false);
      for (String stored : versions(oldSpec, true)) {
        if (!kept.contains(stored)) {
          // the API server refuses to drop a version listed in status.storedVersions
          out.add(
              new Conflict(
                  "spec.versions[" + stored + "]",
                  Resolution.MIGRATE_STORED_VERSION,
                  "the stored version " + stored + " is dropped; new versions " + kept));
        }
      }
    }
    return out;
  }

  private static void changed(
      List<Conflict> out, String field, Object before, Object after, Resolution r) {
    if (!Objects.equals(before, after)) {
      out.add(new Conflict(field, r, summary(before) + " -> " + summary(after)));
    }
  }

  private static String summary(Object v) {
    String s = String.valueOf(v);
    return s.length() > 120 ? s.substring(0, 117) + "..." : s;
  }

  private static Map<?, ?> map(Object o) {
    return o instanceof Map<?, ?> m ? m : Map.of();
  }

  private static List<Object> stringKeys(Map<?, ?> m) {
    return new ArrayList<>(m.keySet());
  }

  private static Map<String, Object> withoutStorageRequest(Map<?, ?> spec) {
    Map<String, Object> copy = new LinkedHashMap<>();
    spec.forEach((k, v) -> copy.put(String.valueOf(k), v));
    if (copy.get("resources") instanceof Map<?, ?> res) {
      Map<String, Object> r = new LinkedHashMap<>();
      res.forEach((k, v) -> r.put(String.valueOf(k), v));
      if (r.get("requests") instanceof Map<?, ?> req) {
        Map<String, Object> q = new LinkedHashMap<>();
        req.forEach((k, v) -> q.put(String.valueOf(k), v));
        q.remove("storage");
        r.put("requests", q);
      }
      copy.put("resources", r);
    }
    return copy;
  }

  /** A CRD's version names: all it serves, or those marked storage. */
  private static Set<String> versions(Map<?, ?> spec, boolean storageOnly) {
    Set<String> out = new TreeSet<>();
    if (spec.get("versions") instanceof List<?> list) {
      for (Object v : list) {
        Map<?, ?> m = map(v);
        if (!storageOnly || Boolean.TRUE.equals(m.get("storage"))) {
          out.add(String.valueOf(m.get("name")));
        }
      }
    }
    return out;
  }
}
