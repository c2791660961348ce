package io.kfboot.components.install;

import io.kfboot.core.Retry;
import io.kfboot.verify.api.TransientErrors;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The install engine's use of kfboot's one {@link Retry}: bounded exponential backoff for transient
 * API failures only (see {@link TransientErrors}); the one level at which kfboot retries. Anything
 * else is thrown at once.
 *
 * @param attempts how many tries in all, at least 1
 * @param initialBackoff the pause after the first failure; it doubles each time
 * @param maxBackoff the longest pause
 */
public record RetryPolicy(int attempts, Duration initialBackoff, Duration maxBackoff) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(8, Duration.ofMillis(500), Duration.ofSeconds(15));

  /** Told before each pause: "attempt x/y failed". */
  public interface Listener {
    void retrying(String what, int attempt, int attempts, RuntimeException error, Duration pause);
  }

  /** One try: for work already inside a retry. */
  static RetryPolicy once() {
    return new RetryPolicy(1, Duration.ZERO, Duration.ZERO);
  }

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1, got " + attempts);
    }
  }

  public <T> T run(String what, Supplier<T> action, Listener listener) {
    return new Retry(attempts, initialBackoff, maxBackoff)
        .run(what, action, TransientErrors::isTransient, listener::retrying);
  }
}
