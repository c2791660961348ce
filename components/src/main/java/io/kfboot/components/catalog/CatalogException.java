package io.kfboot.components.catalog;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;

/**
 * A catalog that cannot be used: a malformed or inconsistent data file, an unknown component id, a
 * selection that leaves a dependency out. The message names the problem, {@link #fix()} the way
 * out.
 */
public class CatalogException extends KfbootException {
  public CatalogException(String message, String fix) {
    super(message, fix, ExitCategory.INVALID_INPUT);
  }

  /** A component id the user named that the release does not have. */
  public static final class UnknownComponentException extends CatalogException {
    public UnknownComponentException(String message, String fix) {
      super(message, fix);
    }
  }
}
