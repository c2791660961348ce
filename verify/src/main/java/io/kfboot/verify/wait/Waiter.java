package io.kfboot.verify.wait;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.api.TransientErrors;
import io.kfboot.verify.diagnostics.Diagnostics;
import java.time.Duration;
import java.util.Objects;

/**
 * The one way kfboot waits: look at a condition, then again whenever a watch reports a change (or
 * every {@code poll} without watches), until it holds or {@code timeout} passes; on timeout, fail
 * with what was last seen and a diagnostics dump of the condition's namespaces. Transient API
 * failures count as "not yet"; any other failure ends the wait at once.
 */
public final class Waiter {
  /** Told whenever what a pending condition reports changes, for progress a person can follow. */
  public interface Listener {
    Listener NONE = (condition, result, elapsed) -> {};

    void pending(Condition condition, ConditionResult result, Duration elapsed);
  }

  /** Sleeping, replaceable so that tests of the waiter need no real time. */
  public interface Clock {
    Clock SYSTEM =
        new Clock() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public void sleep(Duration d) throws InterruptedException {
            Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);
          }
        };

    long nanoTime();

    void sleep(Duration d) throws InterruptedException;
  }

  private final Duration poll;
  private final Diagnostics diagnostics;
  private final Listener listener;
  private final Clock clock;
  private final ChangeSignal changes;

  public Waiter(Duration poll, Diagnostics diagnostics, Listener listener, Clock clock) {
    this(poll, diagnostics, listener, clock, null);
  }

  /**
   * @param changes watch events; when given, a pending condition is looked at again as soon as the
   *     cluster changes, and {@code poll} is only the longest pause between looks
   */
  public Waiter(
      Duration poll,
      Diagnostics diagnostics,
      Listener listener,
      Clock clock,
      ChangeSignal changes) {
    if (poll.isNegative() || poll.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, got " + poll);
    }
    this.poll = poll;
    this.diagnostics = Objects.requireNonNull(diagnostics);
    this.listener = Objects.requireNonNull(listener);
    this.clock = Objects.requireNonNull(clock);
    this.changes = changes;
  }

  public Waiter(Duration poll, Diagnostics diagnostics, Listener listener) {
    this(poll, diagnostics, listener, Clock.SYSTEM);
  }

  public Duration poll() {
    return poll;
  }

  /**
   * Returns the result that held; throws {@link VerifyException} on timeout, and {@link
   * WaitInterruptedException} if the thread is interrupted.
   */
  public ConditionResult await(Condition condition, Duration timeout) {
    long start = clock.nanoTime();
    long deadline = start + timeout.toNanos();
    String lastDetail = null;
    while (true) {
      long seen = changes == null ? 0 : changes.generation(condition.watchKey());
      ConditionResult r;
      try {
        r = condition.check();
      } catch (RuntimeException e) {
        if (!TransientErrors.isTransient(e)) {
          throw e;
        }
        r = ConditionResult.pending("API not answering: " + e.getMessage());
      }
      if (r.met()) {
        return r;
      }
      long now = clock.nanoTime();
      if (!r.detail().equals(lastDetail)) {
        listener.pending(condition, r, Duration.ofNanos(now - start));
        lastDetail = r.detail();
      }
      if (now - deadline >= 0) {
        throw new VerifyException(
            "timed out after "
                + human(timeout)
                + " waiting for "
                + condition.description()
                + ": "
                + r.detail(),
            "look at the diagnostics below (pods that do not start, image pulls, events); raise the"
                + " timeout with --timeout if the cluster is only slow",
            diagnostics.describe(condition.namespaces()));
      }
      try {
        if (changes != null) {
          changes.awaitChange(condition.watchKey(), seen, poll);
        } else {
          clock.sleep(poll);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new WaitInterruptedException(
            "interrupted while waiting for " + condition.description());
      }
    }
  }

  static String human(Duration d) {
    long s = d.toSeconds();
    return s >= 60
        ? (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s")
        : s > 0 ? s + "s" : d.toMillis() + "ms";
  }

  /** The waiting thread was interrupted (Ctrl-C, or the engine stopping). */
  public static final class WaitInterruptedException extends KfbootException {
    public WaitInterruptedException(String message) {
      super(
          message,
          "rerun the same command: what it waits for is checked again",
          ExitCategory.UNEXPECTED_STATE);
    }
  }
}
