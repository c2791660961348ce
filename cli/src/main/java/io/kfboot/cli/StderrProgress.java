package io.kfboot.cli;

import io.kfboot.manifests.Progress;
import java.io.PrintStream;

/** Progress lines on stderr, each with the seconds since the command started. */
final class StderrProgress implements Progress {
  private final PrintStream err;
  private final long start = System.nanoTime();
  private final boolean quiet;

  StderrProgress(PrintStream err, boolean quiet) {
    this.err = err;
    this.quiet = quiet;
  }

  @Override
  public synchronized void report(String line) {
    if (!quiet) {
      err.printf("[%6.1fs] %s%n", (System.nanoTime() - start) / 1e9, line);
    }
  }
}
