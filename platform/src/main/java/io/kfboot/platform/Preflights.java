package io.kfboot.platform;

import io.kfboot.components.check.CheckResult;
import io.kfboot.core.KfbootException;
import java.util.ArrayList;
import java.util.List;

/** What the preflight checks of install and up share: how results are reported and refused. */
final class Preflights {
  private Preflights() {}

  /** Each result's findings as progress and its warnings as warnings. */
  static void report(List<CheckResult> results, PlatformListener listener) {
    for (CheckResult r : results) {
      r.findings().forEach(f -> listener.report("  " + r.subject() + ": " + f));
      r.warnings().forEach(w -> listener.warning(r.subject() + ": " + w));
    }
  }

  /**
   * Throws every failed result's problem as one exception, with the first one's category.
   *
   * @param check what failed ("the auth check"), and of what ("connector")
   * @param again the command that checks again
   */
  static void requirePassed(List<CheckResult> results, String check, String of, String again) {
    List<CheckResult> failed = results.stream().filter(r -> !r.passed()).toList();
    if (failed.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder(check + " failed for ");
    message.append(failed.size()).append(' ').append(of).append(failed.size() == 1 ? "" : "s");
    List<String> fixes = new ArrayList<>();
    for (CheckResult r : failed) {
      message.append(":\n  ").append(r.problem());
      fixes.add(r.fix());
    }
    throw new KfbootException(
        message.toString(),
        String.join("; ", fixes) + " (nothing was applied; " + again + " tries again)",
        failed.get(0).category());
  }
}
