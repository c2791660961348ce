package io.kfboot.cli;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;

/** A flag value the CLI cannot use; exit code {@link ExitCodes#INVALID_INPUT}. */
class CliException extends KfbootException {
  CliException(String message, String fix) {
    super(message, fix, ExitCategory.INVALID_INPUT);
  }

  CliException(String message, String fix, ExitCategory category) {
    super(message, fix, category);
  }
}
