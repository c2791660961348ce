package io.kfboot.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The one way a test is skipped: the reason printed in the build's output (not only its reports),
 * and never under {@code CI=true} for something CI provides: there a missing tool is a failure.
 */
public final class Skips {
  private Skips() {}

  /**
   * Under CI: the CI variable, or the {@code kfboot.ci} property (how this class's own test plays
   * CI).
   */
  public static boolean inCi() {
    return "true".equals(System.getProperty("kfboot.ci", System.getenv("CI")));
  }

  /** Skips (or under CI fails) when {@code need} is not here. */
  public static void require(Need need) {
    need.missing()
        .ifPresent(reason -> unavailable(need.providedInCi(), reason + "; needs " + need.what()));
  }

  /** Skips the calling test with {@code reason}, or fails it under CI when {@code providedInCi}. */
  public static void unavailable(boolean providedInCi, String reason) {
    if (providedInCi && inCi()) {
      throw new AssertionError(
          "CI=true, and " + reason + ": .ci/run must provide it; a skip here would hide a gap");
    }
    System.err.println("SKIPPED: " + reason);
    assumeTrue(false, reason);
  }
}
