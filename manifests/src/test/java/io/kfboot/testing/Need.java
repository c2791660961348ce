package io.kfboot.testing;

import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What a test may need from this machine. Each says whether it is here and, if not, why; the ones
 * {@code .ci/run} installs (or CI's shared/ folder brings) must be here under {@code CI=true},
 * where their absence fails the test instead of skipping it.
 */
public enum Need {
  KUSTOMIZE(true, "kustomize or kubectl (.ci/run installs a pinned kubectl)"),
  SSHD(true, "OpenSSH's sshd, run as root (.ci/run installs openssh-server)"),
  SHELLCHECK(true, "shellcheck (.ci/run installs it)"),
  GIT(true, "git (.ci/run installs it)"),
  FIXTURES(true, "shared/fixtures beside the checkout (CI copies shared/ there)"),
  MARIADB(true, "MariaDB's server and client (.ci/run installs mariadb-server)"),
  SLAPD(true, "OpenLDAP's slapd and openssl (.ci/run installs slapd)"),
  SQLITE3(true, "the sqlite3 shell at /usr/bin/sqlite3 (.ci/run installs sqlite3)");

  private final boolean providedInCi;
  private final String what;

  Need(boolean providedInCi, String what) {
    this.providedInCi = providedInCi;
    this.what = what;
  }

  public boolean providedInCi() {
    return providedInCi;
  }

  /** Why it is missing here, or empty when it is here. */
  public Optional<String> missing() {
    return switch (this) {
      case KUSTOMIZE -> {
        try {
          Kustomize.locate(Optional.empty(), System.getenv());
          yield Optional.empty();
        } catch (RuntimeException e) {
          yield Optional.of("no kustomize here: " + e.getMessage());
        }
      }
      case SSHD ->
          !Files.isExecutable(Path.of("/usr/sbin/sshd"))
              ? Optional.of("no /usr/sbin/sshd")
              : !"root".equals(System.getProperty("user.name"))
                  ? Optional.of(
                      "sshd needs root to log a user in; running as "
                          + System.getProperty("user.name"))
                  : Optional.empty();
      case SHELLCHECK ->
          runs("shellcheck", "--version") ? Optional.empty() : Optional.of("no shellcheck");
      case GIT -> runs("git", "--version") ? Optional.empty() : Optional.of("no git");
      case SQLITE3 ->
          Files.isExecutable(Path.of("/usr/bin/sqlite3"))
              ? Optional.empty()
              : Optional.of("no /usr/bin/sqlite3");
      case SLAPD ->
          Files.isExecutable(Path.of("/usr/sbin/slapd"))
                  && Files.isExecutable(Path.of("/usr/sbin/slapadd"))
                  && runs("openssl", "version")
              ? Optional.empty()
              : Optional.of("no /usr/sbin/slapd, slapadd or openssl");
      case MARIADB ->
          Files.isExecutable(Path.of("/usr/sbin/mariadbd"))
                  && Files.isExecutable(Path.of("/usr/bin/mariadb-install-db"))
                  && runs("mysqldump", "--version")
              ? Optional.empty()
              : Optional.of("no /usr/sbin/mariadbd, mariadb-install-db or mysqldump");
      case FIXTURES ->
          Files.isDirectory(Fixtures.dir())
              ? Optional.empty()
              : Optional.of("no fixtures folder " + Fixtures.dir());
    };
  }

  public String what() {
    return what;
  }

  private static boolean runs(String... cmd) {
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
