package io.kfboot.components.plan;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.wait.Condition;
import java.util.Map;

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

  /**
   * The check as objects that a declarative engine (the Pulumi stack) creates and awaits, each with
   * the {@code pulumi.com/waitFor} expression that proves it ({@code
   * jsonpath={.status.phase}=Bound}, or "" for an object only needed by the others), in creation
   * order. Empty when the check has no such form; the stack's README section says what stands in
   * for it.
   */
  default Map<HasMetadata, String> asAwaitedObjects() {
    return Map.of();
  }
}
