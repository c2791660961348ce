package io.kfboot.verify.check;

import java.time.Duration;

/**
 * How one check ended.
 *
 * @param detail what was seen (passed), the failure with its fix (failed), or why it did not run
 * @param diagnostics pods, conditions and events read when it failed; empty otherwise
 */
public record CheckResult(
    String id,
    String description,
    Status status,
    String detail,
    String diagnostics,
    Duration elapsed) {
  public enum Status {
    PASSED,
    FAILED,
    SKIPPED
  }

  public boolean failed() {
    return status == Status.FAILED;
  }
}
