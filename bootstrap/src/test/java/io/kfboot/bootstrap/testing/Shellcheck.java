package io.kfboot.bootstrap.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.testing.Need;
import io.kfboot.testing.Skips;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** shellcheck on scripts kfboot sends to hosts; tests are skipped, with the reason, without it. */
public final class Shellcheck {
  private Shellcheck() {}

  public static void requireOrSkip() {
    Skips.require(Need.SHELLCHECK);
  }

  /** Asserts that {@code script}, run by {@code sh -c}, passes shellcheck as POSIX sh. */
  public static void assertClean(Path dir, String script) throws Exception {
    Path f = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\n" + script + "\n");
    Process p =
        new ProcessBuilder("shellcheck", "-s", "sh", f.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(script + "\n" + out).isZero();
  }
}
