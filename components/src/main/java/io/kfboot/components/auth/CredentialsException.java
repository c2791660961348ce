package io.kfboot.components.auth;

/** Credentials that cannot be made, read or applied; the message never holds a secret. */
public final class CredentialsException extends RuntimeException {
  private final String fix;

  public CredentialsException(String message, String fix) {
    super(message);
    this.fix = fix;
  }

  public String fix() {
    return fix;
  }
}
