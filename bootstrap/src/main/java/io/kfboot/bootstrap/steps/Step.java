package io.kfboot.bootstrap.steps;

import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One small piece of host setup: look, change, look again. {@link #check} never changes the host;
 * {@code kfboot hosts plan} runs only it. {@link #apply} may assume the check failed and must leave
 * the host so that the check passes; running it twice changes nothing the second time.
 */
public interface Step {
  String id();

  /** What it ensures, one line. */
  String description();

  Check check(HostContext host);

  void apply(HostContext host);

  /** A step from its parts, for the small ones. */
  static Step of(
      String id,
      String description,
      Function<HostContext, Check> check,
      Consumer<HostContext> apply) {
    return new Step() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public Check check(HostContext host) {
        return check.apply(host);
      }

      @Override
      public void apply(HostContext host) {
        apply.accept(host);
      }
    };
  }

  /** {@code step}, which {@code reset} undoes with {@code undo}. */
  static Step withUndo(Step step, Step undo) {
    return new Undoable(step, undo);
  }

  /** A step and its undo. */
  record Undoable(Step step, Step undo) implements Step, Removable {
    @Override
    public String id() {
      return step.id();
    }

    @Override
    public String description() {
      return step.description();
    }

    @Override
    public Check check(HostContext host) {
      return step.check(host);
    }

    @Override
    public void apply(HostContext host) {
      step.apply(host);
    }
  }

  /** A look at the host: whether the step is satisfied, and if not, what would change. */
  record Check(boolean satisfied, String detail) {
    public static Check ok(String detail) {
      return new Check(true, detail);
    }

    public static Check change(String detail) {
      return new Check(false, detail);
    }
  }
}
