package io.kfboot.components.install;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.verify.diagnostics.Diagnostics;
import java.time.Duration;

/**
 * Installs a plan on a cluster: every component as soon as the gates of all it depends on hold
 * (bounded parallelism), and inside a component CRDs first (then Established), Namespaces, cluster
 * RBAC and other cluster-scoped objects, namespaced objects (those a {@code before:} gate holds
 * back only once it holds), webhook configurations once their Service has ready endpoints, and
 * custom resources once their CRD is Established. Then the component's gates. Objects already as
 * desired are not written, so a rerun converges from wherever a killed run stopped and changes
 * nothing on an installed cluster. Progress is kept in {@link InstallState}.
 */
public final class Installer {
  /** The phases the install record holds. */
  public static final String PHASE_INSTALLING = "installing";

  public static final String PHASE_INSTALLED = "installed";
  public static final String PHASE_FAILED = "failed";

  /**
   * @param parallelism how many components install at once
   * @param gateTimeout how long one gate or ordering wait may take
   * @param poll the longest pause between two looks at a pending condition
   * @param watch whether watches wake pending conditions as soon as the cluster changes
   */
  public record Options(
      int parallelism, Duration gateTimeout, Duration poll, RetryPolicy retry, boolean watch) {
    public static final Options DEFAULT =
        new Options(16, Duration.ofMinutes(10), Duration.ofSeconds(2), RetryPolicy.DEFAULT, true);

    public Options(int parallelism, Duration gateTimeout, Duration poll, RetryPolicy retry) {
      this(parallelism, gateTimeout, poll, retry, true);
    }

    public Options {
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
      }
    }

    public Options withoutWatch() {
      return new Options(parallelism, gateTimeout, poll, retry, false);
    }
  }

  private final KubernetesClient client;
  private final Options options;
  private final InstallListener listener;
  private final Diagnostics diagnostics;

  public Installer(
      KubernetesClient client, Options options, InstallListener listener, Diagnostics diagnostics) {
    this.client = client;
    this.options = options;
    this.listener = listener;
    this.diagnostics = diagnostics;
  }

  /**
   * Installs {@code plan}; each call is a run of its own, with nothing left from the one before.
   */
  public InstallReport install(InstallPlan plan) {
    return new InstallRun(client, options, listener, diagnostics, null).install(plan);
  }

  /**
   * Installs {@code plan} over a cluster that holds release {@code from}: the one way the record
   * may name another release than the plan's. Components count as done only once done under the new
   * release.
   */
  public InstallReport upgrade(InstallPlan plan, String from) {
    return new InstallRun(client, options, listener, diagnostics, from).install(plan);
  }
}
