package io.kfboot.components.install;

/**
 * A component could not be installed: an object the API server refused, a gate that did not hold
 * in time, a cluster that holds another release. The message names the component and object;
 * {@link #fix()} the way out; {@link #diagnostics()} what the cluster looked like.
 */
public class InstallException extends RuntimeException {
  private final String fix;
  private final String diagnostics;
  private final boolean stateProblem;

  public InstallException(String message, String fix, String diagnostics, boolean stateProblem, Throwable cause) {
    super(message, cause);
    this.fix = fix;
    this.diagnostics = diagnostics == null ? "" : diagnostics;
    this.stateProblem = stateProblem;
  }

  public String fix() {
    return fix;
  }

  public String diagnostics() {
    return diagnostics;
  }

  /**
   * True when the cluster is not as expected (a gate timed out, another release is installed);
   * false when the API refused what kfboot sent.
   */
  public boolean stateProblem() {
    return stateProblem;
  }
}
