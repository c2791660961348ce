package io.kfboot.bootstrap.inventory;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.util.List;

/** An inventory kfboot cannot use: every problem found, each with its line and the fix. */
public final class InventoryException extends KfbootException {
  private final List<String> problems;

  public InventoryException(String file, List<String> problems) {
    super(
        "inventory "
            + file
            + " has "
            + problems.size()
            + " problem"
            + (problems.size() == 1 ? "" : "s")
            + ":\n  "
            + String.join("\n  ", problems),
        "correct the inventory as each line says (see docs/inventory.md); nothing was done on any"
            + " host",
        ExitCategory.INVALID_INPUT);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
