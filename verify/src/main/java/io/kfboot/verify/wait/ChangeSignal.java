package io.kfboot.verify.wait;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * "Something in the cluster changed": a counter that watch events bump, and that waiters block on
 * instead of sleeping a whole poll interval. A change between a look and the wait is not lost:
 * waiters pass the generation they last saw.
 */
public final class ChangeSignal {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private long generation;

  public void signal() {
    lock.lock();
    try {
      generation++;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  public long generation() {
    lock.lock();
    try {
      return generation;
    } finally {
      lock.unlock();
    }
  }

  /** Returns once the generation is past {@code seen}, or after {@code max}. */
  public void awaitChange(long seen, Duration max) throws InterruptedException {
    long nanos = max.toNanos();
    lock.lock();
    try {
      while (generation == seen && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }

  /** For tests: waits at most {@code ms} for any change after now. */
  boolean awaitAny(long ms) throws InterruptedException {
    long seen = generation();
    awaitChange(seen, Duration.ofMillis(ms));
    return generation() != seen;
  }
}
