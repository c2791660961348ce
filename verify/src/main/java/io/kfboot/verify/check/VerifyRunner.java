package io.kfboot.verify.check;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.diagnostics.Diagnostics;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Runs checks in dependency order, one at a time (they create workloads; running them at once would
 * measure the cluster's contention, not its health). A check whose prerequisite failed or was
 * skipped is skipped, saying which. Every check ends in a result: a failure of one never stops the
 * report of the others.
 */
public final class VerifyRunner {
  private final KubernetesClient client;
  private final Diagnostics diagnostics;
  private final Duration poll;
  private final Duration timeoutCap;
  private final Consumer<String> progress;

  /**
   * @param timeoutCap the longest any one check may wait (--timeout); a check's own shorter timeout
   *     stands
   */
  public VerifyRunner(
      KubernetesClient client,
      Diagnostics diagnostics,
      Duration poll,
      Duration timeoutCap,
      Consumer<String> progress) {
    this.client = client;
    this.diagnostics = diagnostics;
    this.poll = poll;
    this.timeoutCap = timeoutCap;
    this.progress = progress;
  }

  /**
   * @param only ids to run, with the checks they build on; empty for all
   */
  public List<CheckResult> run(List<VerifyCheck> checks, Set<String> only) {
    Map<String, VerifyCheck> byId = new LinkedHashMap<>();
    for (VerifyCheck c : checks) {
      if (byId.put(c.id(), c) != null) {
        throw new IllegalArgumentException("two checks have the id " + c.id());
      }
    }
    for (String id : only) {
      if (!byId.containsKey(id)) {
        throw new IllegalArgumentException(
            "no check '" + id + "'; the checks are " + String.join(", ", byId.keySet()));
      }
    }
    List<VerifyCheck> ordered = order(byId, only);
    Map<String, CheckResult> results = new HashMap<>();
    List<CheckResult> out = new ArrayList<>();
    for (VerifyCheck c : ordered) {
      CheckResult r = runOne(c, results);
      results.put(c.id(), r);
      out.add(r);
      progress.accept(line(r));
    }
    return out;
  }

  private CheckResult runOne(VerifyCheck c, Map<String, CheckResult> done) {
    for (String dep : c.after()) {
      CheckResult d = done.get(dep);
      if (d != null && d.status() != CheckResult.Status.PASSED) {
        return new CheckResult(
            c.id(),
            c.description(),
            CheckResult.Status.SKIPPED,
            dep + " did not pass",
            "",
            Duration.ZERO);
      }
    }
    progress.accept(c.id() + ": " + c.description() + " ...");
    Duration timeout = c.timeout().compareTo(timeoutCap) < 0 ? c.timeout() : timeoutCap;
    Waiter waiter =
        new Waiter(
            poll,
            diagnostics,
            (cond, r, elapsed) ->
                progress.accept(
                    c.id() + ": waiting for " + cond.description() + " (" + r.detail() + ")"));
    long start = System.nanoTime();
    try {
      String seen = c.run(client, waiter, timeout);
      return new CheckResult(
          c.id(),
          c.description(),
          CheckResult.Status.PASSED,
          seen,
          "",
          Duration.ofNanos(System.nanoTime() - start));
    } catch (VerifyException e) {
      return new CheckResult(
          c.id(),
          c.description(),
          CheckResult.Status.FAILED,
          e.getMessage() + (e.fix() == null || e.fix().isBlank() ? "" : "; fix: " + e.fix()),
          e.diagnostics(),
          Duration.ofNanos(System.nanoTime() - start));
    } catch (Waiter.WaitInterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      // an API error or a bug: reported as this check's failure, the others still run
      return new CheckResult(
          c.id(),
          c.description(),
          CheckResult.Status.FAILED,
          e.getClass().getSimpleName() + ": " + e.getMessage(),
          "",
          Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /**
   * Dependencies first, otherwise in the given order; with {@code only}, those and what they need.
   */
  static List<VerifyCheck> order(Map<String, VerifyCheck> byId, Set<String> only) {
    List<VerifyCheck> out = new ArrayList<>();
    Set<String> placed = new HashSet<>();
    Set<String> visiting = new HashSet<>();
    for (VerifyCheck c : byId.values()) {
      if (only.isEmpty() || only.contains(c.id())) {
        place(c, byId, placed, visiting, out);
      }
    }
    return out;
  }

  private static void place(
      VerifyCheck c,
      Map<String, VerifyCheck> byId,
      Set<String> placed,
      Set<String> visiting,
      List<VerifyCheck> out) {
    if (placed.contains(c.id())) {
      return;
    }
    if (!visiting.add(c.id())) {
      throw new IllegalArgumentException(
          "checks depend on each other in a circle through " + c.id());
    }
    for (String dep : c.after()) {
      VerifyCheck d = byId.get(dep);
      if (d != null) {
        place(d, byId, placed, visiting, out);
      }
    }
    placed.add(c.id());
    out.add(c);
  }

  static String line(CheckResult r) {
    return r.id()
        + ": "
        + r.status().name().toLowerCase()
        + (r.status() == CheckResult.Status.SKIPPED
            ? ""
            : String.format(" in %.1fs", r.elapsed().toMillis() / 1000.0))
        + " ("
        + r.detail()
        + ")";
  }
}
