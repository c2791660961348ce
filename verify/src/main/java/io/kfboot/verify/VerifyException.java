package io.kfboot.verify;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;

/**
 * The cluster is not as expected: a wait ran out, an object never turned ready. The message names
 * what was waited for; {@link #fix()} says what to look at or do; {@link #diagnostics()} carries
 * the state that was seen.
 */
public class VerifyException extends KfbootException {
  public VerifyException(String message, String fix, String diagnostics) {
    super(message, fix, ExitCategory.UNEXPECTED_STATE, diagnostics, null);
  }
}
