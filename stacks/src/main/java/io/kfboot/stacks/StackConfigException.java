package io.kfboot.stacks;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.util.List;

/** The stack's configuration is wrong; every problem is listed, each with its fix. */
public final class StackConfigException extends KfbootException {
  private final List<String> problems;

  public StackConfigException(List<String> problems) {
    super(
        "the stack's configuration has "
            + problems.size()
            + " problem"
            + (problems.size() == 1 ? "" : "s")
            + ":\n  - "
            + String.join("\n  - ", problems),
        "correct the stack's config as each line says (pulumi config set kfboot:KEY ...)",
        ExitCategory.INVALID_INPUT);
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
