package io.kfboot.platform;

import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.components.install.InstallListener;
import io.kfboot.manifests.Progress;

/**
 * Everything a kfboot operation tells while it runs, in one place: release and render progress, the
 * install engine's events, phases of up and down, each host step as it finishes, verify's lines,
 * and warnings. A front end implements it once (the CLI prints to stderr; the stack logs). Calls
 * come from several threads. Nothing passed here holds a secret.
 */
public interface PlatformListener extends Progress, InstallListener {
  PlatformListener SILENT = new PlatformListener() {};

  @Override
  default void report(String line) {}

  /** Phase {@code n} of {@code of} of a pipeline (up, down, ci) begins. */
  default void phase(int n, int of, String what) {}

  default void hostStep(StepRunner.Result result) {}

  default void verifyLine(String line) {}
}
