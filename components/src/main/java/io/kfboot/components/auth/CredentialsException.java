package io.kfboot.components.auth;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;

/** Credentials that cannot be made, read or applied; the message never holds a secret. */
public final class CredentialsException extends KfbootException {
  public CredentialsException(String message, String fix) {
    super(message, fix, ExitCategory.INVALID_INPUT);
  }
}
