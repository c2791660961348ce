package io.kfboot.components.install;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;

/**
 * A component could not be installed: an object the API server refused, a gate that did not hold in
 * time, a cluster that holds another release. The message names the component and object; {@link
 * #fix()} the way out; {@link #diagnostics()} what the cluster looked like.
 */
public class InstallException extends KfbootException {
  private final boolean stateProblem;

  public InstallException(
      String message, String fix, String diagnostics, boolean stateProblem, Throwable cause) {
    super(
        message,
        fix,
        stateProblem ? ExitCategory.UNEXPECTED_STATE : ExitCategory.CLUSTER,
        diagnostics,
        cause);
    this.stateProblem = stateProblem;
  }

  /**
   * True when the cluster is not as expected (a gate timed out, another release is installed);
   * false when the API refused what kfboot sent.
   */
  public boolean stateProblem() {
    return stateProblem;
  }
}
