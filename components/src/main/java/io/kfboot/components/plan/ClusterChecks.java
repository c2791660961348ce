package io.kfboot.components.plan;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.check.VerifyCheck;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.List;

/** A component's {@link ClusterCheck} as a check of {@code kfboot verify}: the same probe, run again. */
public final class ClusterChecks {
  private ClusterChecks() {}

  public static VerifyCheck asVerifyCheck(String id, ClusterCheck check, List<String> after) {
    return new VerifyCheck() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public String description() {
        return check.description();
      }

      @Override
      public List<String> after() {
        return after;
      }

      @Override
      public String run(KubernetesClient client, Waiter waiter, Duration timeout) {
        try {
          return waiter.await(check.start(client), timeout).detail();
        } finally {
          check.finish(client);
        }
      }
    };
  }
}
