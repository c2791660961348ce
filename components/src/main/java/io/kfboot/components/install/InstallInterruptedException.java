package io.kfboot.components.install;

/** The engine was stopped (Ctrl-C, or another component failed) while this work was under way. */
public final class InstallInterruptedException extends RuntimeException {
  public InstallInterruptedException(String message) {
    super(message);
  }
}
