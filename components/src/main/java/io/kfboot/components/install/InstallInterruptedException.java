package io.kfboot.components.install;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;

/** The engine was stopped (Ctrl-C, or another component failed) while this work was under way. */
public final class InstallInterruptedException extends KfbootException {
  public InstallInterruptedException(String message) {
    super(
        message,
        "rerun the same command: the install resumes where it stopped",
        ExitCategory.UNEXPECTED_STATE);
  }
}
