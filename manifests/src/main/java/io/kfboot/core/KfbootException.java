package io.kfboot.core;

/**
 * The one root of every failure kfboot reports: a message that names the problem, a {@link #fix()}
 * that names the way out, an {@link #category() exit category}, and where the cluster was looked
 * at, {@link #diagnostics()}. Front ends print these four without knowing the subclass; subclasses
 * exist for callers that react to one kind (a transient host failure, an interrupted install).
 * Messages never hold a secret.
 */
public class KfbootException extends RuntimeException {
  private final String fix;
  private final ExitCategory category;
  private final String diagnostics;

  public KfbootException(String message, String fix, ExitCategory category) {
    this(message, fix, category, "", null);
  }

  public KfbootException(String message, String fix, ExitCategory category, Throwable cause) {
    this(message, fix, category, "", cause);
  }

  public KfbootException(
      String message, String fix, ExitCategory category, String diagnostics, Throwable cause) {
    super(message, cause);
    this.fix = fix == null ? "" : fix;
    this.category = category;
    this.diagnostics = diagnostics == null ? "" : diagnostics;
  }

  /** What the user can do about it, one sentence. */
  public String fix() {
    return fix;
  }

  public ExitCategory category() {
    return category;
  }

  /**
   * What the cluster looked like (pods, conditions, events) as text; empty where nothing was read.
   */
  public String diagnostics() {
    return diagnostics;
  }
}
