package io.kfboot.components.k3s;

import io.kfboot.manifests.parse.K8sObject;

/**
 * A kfboot-owned change to rendered upstream objects that k3s needs. Applied after rendering, never
 * by editing the upstream tree, and listed in the plan for every object it touches.
 */
public interface K3sAdaptation {
  /** Stable id, shown in the plan. */
  String id();

  /** What it changes and why, one line. */
  String description();

  /**
   * The catalog component whose objects it changes; it is checked only when that one is planned.
   */
  String component();

  /** Where the fix comes from. */
  String reference();

  /**
   * Whether the object is what this adaptation is about, whether or not it needs the change. A
   * planned object it concerns but does not apply to means upstream changed shape, and the plan
   * warns; a release without any such object (an Istio without CNI, say) simply does not need it.
   */
  boolean concerns(K8sObject object);

  /** Whether the object needs the change; implies {@link #concerns}. */
  boolean appliesTo(K8sObject object);

  /** A patched copy; the argument is left as it was. */
  K8sObject apply(K8sObject object);
}
