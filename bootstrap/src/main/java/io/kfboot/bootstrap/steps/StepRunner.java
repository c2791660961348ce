package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.host.HostException;
import io.kfboot.core.Retry;
import java.time.Duration;
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
    WOULD_CHANGE,
    /** Progress only: the connection failed transiently; the step runs again. */
    RETRYING
  }

  public record Result(String host, String step, Status status, String detail) {
    @Override
    public String toString() {
      return host
          + ": "
          + step
          + " "
          + status.name().toLowerCase().replace('_', ' ')
          + " ("
          + detail
          + ")";
    }
  }

  private StepRunner() {}

  /**
   * Tries of one step when the connection fails transiently; steps are idempotent, so a retry is
   * safe.
   */
  static final int ATTEMPTS = 3;

  /**
   * Tries of one step; steps are idempotent, so a step whose connection failed transiently runs
   * again.
   */
  static final Retry RETRY = new Retry(ATTEMPTS, Duration.ofSeconds(1), Duration.ofSeconds(4));

  public static List<Result> run(
      HostContext host, List<Step> steps, boolean plan, Consumer<Result> progress) {
    List<Result> results = new ArrayList<>();
    for (Step s : steps) {
      Result r =
          RETRY.run(
              host.name() + " " + s.id(),
              () -> once(host, s, plan),
              e -> e instanceof HostException h && h.isTransient(),
              (what, attempt, attempts, error, pause) ->
                  progress.accept(
                      new Result(
                          host.name(),
                          s.id(),
                          Status.RETRYING,
                          "attempt "
                              + attempt
                              + "/"
                              + attempts
                              + " failed: "
                              + error.getMessage())));
      results.add(r);
      progress.accept(r);
    }
    return results;
  }

  private static Result once(HostContext host, Step s, boolean plan) {
    Step.Check before = s.check(host);
    if (before.satisfied()) {
      return new Result(host.name(), s.id(), Status.OK, before.detail());
    }
    if (plan) {
      return new Result(host.name(), s.id(), Status.WOULD_CHANGE, before.detail());
    }
    s.apply(host);
    Step.Check after = s.check(host);
    if (!after.satisfied()) {
      throw new HostException(
          host.name(),
          "step " + s.id() + " was applied but its check still says: " + after.detail(),
          "look at the host by hand; kfboot --print-commands shows what was run",
          false);
    }
    return new Result(host.name(), s.id(), Status.CHANGED, before.detail());
  }
}
