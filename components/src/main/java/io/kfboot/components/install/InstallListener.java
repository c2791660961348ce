package io.kfboot.components.install;

import io.kfboot.components.install.InstallReport.ComponentResult;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import java.time.Duration;

/**
 * What the engine is doing, for progress a person can follow and for tests. Calls come from several
 * threads.
 */
public interface InstallListener extends RetryPolicy.Listener {
  InstallListener NONE = new InstallListener() {};

  default void componentStarted(String component, Duration elapsed) {}

  default void objectApplied(String component, K8sObject object, ApplyOutcome outcome) {}

  /**
   * An object was deleted on purpose: an upgrade's delete before the apply, its reset of a
   * per-profile object, or its prune.
   */
  default void objectDeleted(String why, K8sObject object) {}

  /** A gate or an ordering wait begins (once per wait, whether or not it already holds). */
  default void waitStarted(String component, Condition condition) {}

  /** A gate or an ordering wait is pending; called again when what it reports changes. */
  default void waiting(
      String component, Condition condition, ConditionResult result, Duration elapsed) {}

  default void componentDone(ComponentResult result, Duration elapsed) {}

  /** Something a person should know that does not stop the install. */
  default void warning(String message) {}

  @Override
  default void retrying(
      String what, int attempt, int attempts, RuntimeException error, Duration pause) {}
}
