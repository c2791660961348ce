package io.kfboot.components.upgrade;

import java.util.List;

/**
 * One supported upgrade, from one release to the next the route passes, and its steps.
 *
 * @param steps in the order the data gives them; empty inside one minor line
 */
public record UpgradeHop(String from, String to, List<UpgradeStep> steps) {
  public UpgradeHop {
    steps = List.copyOf(steps);
  }

  @Override
  public String toString() {
    return from + " -> " + to;
  }
}
