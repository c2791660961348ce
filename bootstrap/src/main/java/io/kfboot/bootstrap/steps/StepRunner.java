package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.host.HostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs steps on one host: check; if not satisfied, apply (unless planning) and check again. A step
 * whose check still fails after its apply is an error: the apply did not do what it claims.
 */
public final class StepRunner {
  public enum Status {
    /** The check held: nothing to do. */
    OK,
    /** Applied, and the check holds now. */
    CHANGED,
    /** Planning: the check did not hold; this is what apply would do. */
    WOULD_CHANGE
  }

  public record Result(String host, String step, Status status, String detail) {
    @Override
    public String toString() {
      return host + ": " + step + " " + status.name().toLowerCase().replace('_', ' ') + " (" + detail + ")";
    }
  }

  private StepRunner() {}

  public static List<Result> run(HostContext host, List<Step> steps, boolean plan, Consumer<Result> progress) {
    List<Result> results = new ArrayList<>();
    for (Step s : steps) {
      Step.Check before = s.check(host);
      Result r;
      if (before.satisfied()) {
        r = new Result(host.name(), s.id(), Status.OK, before.detail());
      } else if (plan) {
        r = new Result(host.name(), s.id(), Status.WOULD_CHANGE, before.detail());
      } else {
        s.apply(host);
        Step.Check after = s.check(host);
        if (!after.satisfied()) {
          throw new HostException(host.name(), "step " + s.id() + " was applied but its check still says: " + after.detail(),
              "look at the host by hand; kfboot --print-commands shows what was run", false);
        }
        r = new Result(host.name(), s.id(), Status.CHANGED, before.detail());
      }
      results.add(r);
      progress.accept(r);
    }
    return results;
  }
}
