package io.kfboot.verify.check;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.List;

/**
 * One check of {@code kfboot verify}: something about an installed platform that must hold, with
 * the checks it builds on. It waits (through the waiter, so a timeout carries diagnostics) or
 * throws {@link io.kfboot.verify.VerifyException} with what it saw and the fix.
 */
public interface VerifyCheck {
  /** Stable id, for --only and JUnit ("pods-healthy", "storage-probe"). */
  String id();

  /** One line for people. */
  String description();

  /** Ids of the checks that must pass first; when one fails, this one is skipped. */
  default List<String> after() {
    return List.of();
  }

  /** How long it may take; the runner's --timeout caps nothing longer than this. */
  default Duration timeout() {
    return Duration.ofMinutes(5);
  }

  /**
   * Runs the check.
   *
   * @return what was seen when it passed ("5 nodes Ready"), for the report
   */
  String run(KubernetesClient client, Waiter waiter, Duration timeout);

  /** What a check does, for {@link #of}. */
  @FunctionalInterface
  interface Body {
    String run(KubernetesClient client, Waiter waiter, Duration timeout);
  }

  /** A check from its parts. */
  static VerifyCheck of(
      String id, String description, List<String> after, Duration timeout, Body body) {
    return new VerifyCheck() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public List<String> after() {
        return after;
      }

      @Override
      public Duration timeout() {
        return timeout;
      }

      @Override
      public String run(KubernetesClient client, Waiter waiter, Duration limit) {
        return body.run(client, waiter, limit);
      }
    };
  }
}
