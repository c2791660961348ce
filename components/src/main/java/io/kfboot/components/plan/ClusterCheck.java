package io.kfboot.components.plan;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.wait.Condition;

/**
 * A readiness check of a kfboot-owned component that no workload gate expresses: a probe volume
 * binds, GPUs are allocatable. The installer runs it after the component's objects and gates, like
 * a gate: dependents start only once it holds.
 */
public interface ClusterCheck {
  /** What it checks, one line, for plans and progress. */
  String description();

  /**
   * Makes what the check looks at (a probe claim and pod; another class un-defaulted) and returns
   * the condition to await. Running it again on a cluster where it already ran changes nothing.
   */
  Condition start(KubernetesClient client);

  /** Removes what {@link #start} made; called whether or not the condition held. */
  default void finish(KubernetesClient client) {}
}
