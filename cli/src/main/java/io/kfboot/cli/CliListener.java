package io.kfboot.cli;

import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.components.install.ApplyOutcome;
import io.kfboot.components.install.InstallReport.ComponentResult;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.platform.PlatformListener;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress a person can follow on stderr, each line with the seconds since the command started:
 * release and render steps, each component as it starts and finishes (with what changed), each wait
 * and what it waits for, each retry, phases, host steps, verify's lines. Object-level lines only
 * with --verbose; nothing but warnings with --quiet. Never prints object contents, so no secret
 * reaches the terminal or a CI log.
 */
final class CliListener implements PlatformListener {
  private final PrintStream err;
  private final boolean quiet;
  private final boolean verbose;
  private final long start = System.nanoTime();

  CliListener(PrintStream err, boolean quiet, boolean verbose) {
    this.err = err;
    this.quiet = quiet;
    this.verbose = verbose;
  }

  private synchronized void line(String s) {
    if (!quiet) {
      err.printf("[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, s);
    }
  }

  private synchronized void plain(String s) {
    err.println(s);
  }

  @Override
  public void report(String s) {
    line(s);
  }

  @Override
  public void phase(int n, int of, String what) {
    plain("== [" + n + "/" + of + "] " + what);
  }

  @Override
  public void hostStep(StepRunner.Result r) {
    plain(
        "["
            + r.host()
            + "] "
            + r.step()
            + ": "
            + r.status().name().toLowerCase().replace('_', ' ')
            + " ("
            + r.detail()
            + ")");
  }

  @Override
  public void verifyLine(String s) {
    plain("[verify] " + s);
  }

  @Override
  public void componentStarted(String component, Duration elapsed) {
    line(component + ": started");
  }

  @Override
  public void objectApplied(String component, K8sObject object, ApplyOutcome outcome) {
    if (verbose) {
      line(component + ": " + object.key() + " " + outcome.name().toLowerCase());
    }
  }

  @Override
  public void waiting(
      String component, Condition condition, ConditionResult result, Duration elapsed) {
    line(component + ": waiting for " + condition.description() + " (" + result.detail() + ")");
  }

  @Override
  public void componentDone(ComponentResult r, Duration elapsed) {
    line(
        r.id()
            + ": "
            + (r.changed() ? "done" : "unchanged")
            + " in "
            + String.format("%.1fs", r.elapsed().toMillis() / 1000.0)
            + " ("
            + r.created()
            + " created, "
            + r.configured()
            + " configured, "
            + r.unchanged()
            + " unchanged)");
  }

  @Override
  public void warning(String message) {
    plain(message.startsWith("WARNING") ? message : "warning: " + message);
  }

  @Override
  public void retrying(
      String what, int attempt, int attempts, RuntimeException error, Duration pause) {
    String reason =
        error.getMessage() == null
            ? error.getClass().getSimpleName()
            : error.getMessage().lines().findFirst().orElse("");
    line(
        "retry: "
            + what
            + ": attempt "
            + attempt
            + "/"
            + attempts
            + " failed ("
            + reason
            + "); next in "
            + pause.toMillis()
            + "ms");
  }
}
