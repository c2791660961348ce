package io.kfboot.bootstrap.host;

import java.time.Duration;

/** How a command ended on a host. */
public record ExecResult(int exitCode, String stdout, String stderr, Duration took) {
  public boolean ok() {
    return exitCode == 0;
  }

  /** This result, or a {@link HostException} naming the host, what failed, and its stderr. */
  public ExecResult requireOk(String host, String what) {
    if (!ok()) {
      throw new HostException(
          host,
          what + " exited " + exitCode + (stderr.isBlank() ? "" : ": " + tail(stderr)),
          "run it by hand on " + host + " to see why (kfboot --print-commands shows the command)",
          false);
    }
    return this;
  }

  static String tail(String s) {
    String t = s.strip();
    return t.length() <= 600 ? t : "..." + t.substring(t.length() - 600);
  }
}
