package io.kfboot.components.plan;

import io.kfboot.verify.check.VerifyCheck;
import java.time.Duration;
import java.util.List;

/**
 * A component's {@link ClusterCheck} as a check of {@code kfboot verify}: the same probe, run
 * again.
 */
public final class ClusterChecks {
  private ClusterChecks() {}

  public static VerifyCheck asVerifyCheck(String id, ClusterCheck check, List<String> after) {
    return VerifyCheck.of(
        id,
        check.description(),
        after,
        Duration.ofMinutes(5),
        (client, waiter, timeout) -> {
          try {
            return waiter.await(check.start(client), timeout).detail();
          } finally {
            check.finish(client);
          }
        });
  }
}
