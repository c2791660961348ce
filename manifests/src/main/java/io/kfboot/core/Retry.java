package io.kfboot.core;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * kfboot's one helper for doing something again: {@link #run} retries an action that failed in a
 * way {@code isTransient} calls transient, with bounded exponential backoff; {@link #poll} looks at
 * something until it holds or a deadline passes. The API engine, the host steps, downloads and
 * verify all use it, each with its own notion of transient, so that retries happen at one level and
 * say so ("attempt x/y").
 *
 * @param attempts how many tries in all, at least 1
 * @param initialBackoff the pause after the first failure; it doubles each time
 * @param maxBackoff the longest pause
 */
public record Retry(int attempts, Duration initialBackoff, Duration maxBackoff) {
  /** Told before each pause. */
  @FunctionalInterface
  public interface Listener {
    void retrying(String what, int attempt, int attempts, RuntimeException error, Duration pause);

    Listener NONE = (what, attempt, attempts, error, pause) -> {};
  }

  /** How a pause is taken; tests pass one that only records. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));
  }

  public Retry {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoff must be 0 <= initial <= max, got " + initialBackoff + " and " + maxBackoff);
    }
  }

  public <T> T run(
      String what, Supplier<T> action, Predicate<Throwable> isTransient, Listener listener) {
    return run(what, action, isTransient, listener, Sleeper.SYSTEM);
  }

  public <T> T run(
      String what,
      Supplier<T> action,
      Predicate<Throwable> isTransient,
      Listener listener,
      Sleeper sleeper) {
    Duration pause = initialBackoff;
    for (int attempt = 1; ; attempt++) {
      try {
        return action.get();
      } catch (RuntimeException e) {
        if (attempt >= attempts || !isTransient.test(e)) {
          throw e;
        }
        listener.retrying(what, attempt, attempts, e, pause);
        pause(what, sleeper, pause);
        pause =
            pause.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : pause.multipliedBy(2);
      }
    }
  }

  /** What one look at a pending thing found: done with a value, or not yet and why. */
  public record Look<T>(Optional<T> value, String detail) {
    public static <T> Look<T> done(T value) {
      return new Look<>(Optional.of(value), "");
    }

    public static <T> Look<T> pending(String detail) {
      return new Look<>(Optional.empty(), detail);
    }
  }

  /** A look that ran out of time: what it saw last. */
  public static final class TimedOut extends KfbootException {
    private final String lastDetail;

    TimedOut(String what, Duration timeout, String lastDetail) {
      super(
          what + " did not hold within " + Durations.human(timeout) + ": " + lastDetail,
          "look at what it waited for; a rerun waits again",
          ExitCategory.UNEXPECTED_STATE);
      this.lastDetail = lastDetail;
    }

    public String lastDetail() {
      return lastDetail;
    }
  }

  /**
   * Looks every {@code interval} until a look is done, or throws {@link TimedOut} once {@code
   * timeout} has passed, with what the last look saw. The deadline is read from {@code clock}.
   */
  public static <T> T poll(
      String what,
      Supplier<Look<T>> look,
      Duration interval,
      Duration timeout,
      Clock clock,
      Sleeper sleeper) {
    long deadline = clock.nanos() + timeout.toNanos();
    while (true) {
      Look<T> l = look.get();
      if (l.value().isPresent()) {
        return l.value().get();
      }
      if (clock.nanos() >= deadline) {
        throw new TimedOut(what, timeout, l.detail());
      }
      pause(what, sleeper, interval);
    }
  }

  public static <T> T poll(
      String what, Supplier<Look<T>> look, Duration interval, Duration timeout) {
    return poll(what, look, interval, timeout, Clock.SYSTEM, Sleeper.SYSTEM);
  }

  /** Monotonic nanoseconds. */
  @FunctionalInterface
  public interface Clock {
    long nanos();

    Clock SYSTEM = System::nanoTime;
  }

  private static void pause(String what, Sleeper sleeper, Duration d) {
    try {
      sleeper.sleep(d);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new KfbootException(
          "interrupted while waiting to retry " + what,
          "rerun the same command; kfboot resumes",
          ExitCategory.UNEXPECTED_STATE);
    }
  }
}
