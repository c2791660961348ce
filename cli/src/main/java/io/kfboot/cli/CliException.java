package io.kfboot.cli;

/** A flag value the CLI cannot use; exit code {@link ExitCodes#INVALID_INPUT}. */
class CliException extends RuntimeException {
  private final String fix;

  CliException(String message, String fix) {
    super(message);
    this.fix = fix;
  }

  String fix() {
    return fix;
  }
}
