package io.kfboot.verify;

/**
 * The cluster is not as expected: a wait ran out, an object never turned ready. The message names
 * what was waited for; {@link #fix()} says what to look at or do; {@link #diagnostics()} carries
 * the state that was seen.
 */
public class VerifyException extends RuntimeException {
  private final String fix;
  private final String diagnostics;

  public VerifyException(String message, String fix, String diagnostics) {
    super(message);
    this.fix = fix;
    this.diagnostics = diagnostics == null ? "" : diagnostics;
  }

  public String fix() {
    return fix;
  }

  /** Deployments, pods and events of the namespaces involved, as text; empty if none were read. */
  public String diagnostics() {
    return diagnostics;
  }
}
