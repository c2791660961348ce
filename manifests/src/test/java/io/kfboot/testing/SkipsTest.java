package io.kfboot.testing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class SkipsTest {
  @AfterEach
  void clear() {
    System.clearProperty("kfboot.ci");
  }

  @Test
  void aMissingToolIsASkipOutsideCiAndAFailureInCiWhenCiProvidesIt() {
    System.setProperty("kfboot.ci", "false");
    assertThatThrownBy(() -> Skips.unavailable(true, "no sshd"))
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("no sshd");
    System.setProperty("kfboot.ci", "true");
    assertThatThrownBy(() -> Skips.unavailable(true, "no sshd"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("CI=true, and no sshd")
        .hasMessageContaining(".ci/run must provide it");
    // what CI has no way to provide (Docker, a GPU) stays a skip there
    assertThatThrownBy(() -> Skips.unavailable(false, "no Docker"))
        .isInstanceOf(TestAbortedException.class);
  }
}
