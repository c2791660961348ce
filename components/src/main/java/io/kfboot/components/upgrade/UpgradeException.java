package io.kfboot.components.upgrade;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;

/** An upgrade kfboot will not start or cannot finish, with what to do instead. */
public class UpgradeException extends KfbootException {
  public UpgradeException(String message, String fix, ExitCategory category) {
    super(message, fix, category);
  }

  public UpgradeException(String message, String fix, ExitCategory category, Throwable cause) {
    super(message, fix, category, cause);
  }
}
