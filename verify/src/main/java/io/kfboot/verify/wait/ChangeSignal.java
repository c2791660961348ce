package io.kfboot.verify.wait;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * "Something in the cluster changed", per object: watch events bump a counter for the object's key
 * ("Deployment ns/name") and waiters block on the key they care about instead of sleeping a whole
 * poll interval, so an event wakes only the waits it concerns. A change between a look and the wait
 * is not lost: waiters pass the generation they last saw.
 */
public final class ChangeSignal {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, Long> generations = new HashMap<>();
  private long any;

  public void signal(String key) {
    lock.lock();
    try {
      any++;
      generations.merge(key, 1L, Long::sum);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** How often {@code key} changed (any key when null). */
  public long generation(String key) {
    lock.lock();
    try {
      return key == null ? any : generations.getOrDefault(key, 0L);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns once {@code key} (any key when null) changed past {@code seen}, or after {@code max}.
   */
  public void awaitChange(String key, long seen, Duration max) throws InterruptedException {
    long nanos = max.toNanos();
    lock.lock();
    try {
      while (nanos > 0 && (key == null ? any : generations.getOrDefault(key, 0L)) == seen) {
        nanos = changed.awaitNanos(nanos);
      }
    } finally {
      lock.unlock();
    }
  }
}
