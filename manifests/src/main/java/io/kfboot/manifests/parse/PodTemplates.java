package io.kfboot.manifests.parse;

import java.util.Map;

/**
 * The pod template of a workload body (Deployment, StatefulSet, DaemonSet, Job) as patches change
 * it: the maps returned are the body's own, so a change to them is a change to the body.
 */
public final class PodTemplates {
  private PodTemplates() {}

  /** {@code spec.template.spec}, or an empty immutable map where the body has none. */
  public static Map<String, Object> podSpec(Map<String, Object> body) {
    return Trees.map(Trees.map(Trees.map(body.get("spec")).get("template")).get("spec"));
  }

  /** The container of that name in the pod template, or null. */
  public static Map<String, Object> container(Map<String, Object> body, String name) {
    for (Object c : Trees.list(podSpec(body).get("containers"))) {
      if (name.equals(Trees.map(c).get("name"))) {
        return Trees.map(c);
      }
    }
    return null;
  }
}
