package io.kfboot.components.plan;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The label kfboot puts on every object it applies, naming the component that owns it, so that a
 * person (and {@code kubectl get -l}) can tell kfboot's objects from the cluster's others. It goes
 * into {@code metadata.labels} only: a Deployment's {@code spec.selector} is immutable and its pod
 * template's labels are what the selector matches, so kustomize's {@code commonLabels} (which adds
 * to both) would break every upgrade of an existing install. The label is for people; what kfboot
 * installed is known from the {@code AppliedInventory}, not from labels.
 */
public final class OwnerLabel {
  public static final String KEY = "kfboot.io/component";

  private OwnerLabel() {}

  /** A copy of {@code body} whose metadata.labels also holds {@value #KEY}: {@code component}. */
  public static Map<String, Object> apply(Map<String, Object> body, String component) {
    Map<String, Object> copy = new LinkedHashMap<>(body);
    Map<String, Object> meta = new LinkedHashMap<>();
    if (body.get("metadata") instanceof Map<?, ?> m) {
      m.forEach((k, v) -> meta.put(String.valueOf(k), v));
    }
    Map<String, Object> labels = new LinkedHashMap<>();
    if (meta.get("labels") instanceof Map<?, ?> l) {
      l.forEach((k, v) -> labels.put(String.valueOf(k), v));
    }
    labels.put(KEY, component);
    meta.put("labels", labels);
    copy.put("metadata", meta);
    return copy;
  }
}
