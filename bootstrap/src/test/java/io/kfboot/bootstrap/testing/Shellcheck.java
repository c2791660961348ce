package io.kfboot.bootstrap.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** shellcheck on scripts kfboot sends to hosts; tests are skipped, with the reason, without it. */
public final class Shellcheck {
  private Shellcheck() {}

  public static void requireOrSkip() {
    boolean present;
    try {
      present = new ProcessBuilder("shellcheck", "--version").start().waitFor() == 0;
    } catch (IOException e) {
      present = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      present = false;
    }
    if (!present) {
      System.err.println("SKIPPED: no shellcheck (apt-get install shellcheck; .ci/run does)");
      assumeTrue(false, "no shellcheck");
    }
  }

  /** Asserts that {@code script}, run by {@code sh -c}, passes shellcheck as POSIX sh. */
  public static void assertClean(Path dir, String script) throws Exception {
    Path f = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\n" + script + "\n");
    Process p = new ProcessBuilder("shellcheck", "-s", "sh", f.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(script + "\n" + out).isZero();
  }
}
