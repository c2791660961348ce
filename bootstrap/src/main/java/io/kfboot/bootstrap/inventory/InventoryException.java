package io.kfboot.bootstrap.inventory;

import java.util.List;

/** An inventory kfboot cannot use: every problem found, each with its line and the fix. */
public final class InventoryException extends RuntimeException {
  private final List<String> problems;

  public InventoryException(String file, List<String> problems) {
    super("inventory " + file + " has " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + ":\n  " + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  public String fix() {
    return "correct the inventory as each line says (see README, 'Inventory'); nothing was done on any host";
  }
}
