package io.kfboot.core;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A program kfboot starts on this machine (kustomize, kubectl, git), always with a timeout: its
 * output goes to a temporary file (no reader thread to starve, so the timeout holds even for a
 * program that never closes its output), and on timeout it and every process it started are killed
 * and the caller is told which program hung.
 */
public final class ExternalProcess {
  /** What a program did: its exit code and its output (stdout and stderr together). */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** The program ran past its timeout and was killed. */
  public static final class TimedOutException extends KfbootException {
    TimedOutException(String command, Duration timeout, String fix, ExitCategory category) {
      super(
          command + " did not finish within " + Durations.human(timeout) + " and was stopped",
          fix,
          category);
    }
  }

  private ExternalProcess() {}

  /** How long a kill waits for SIGKILL to take effect; a loaded machine can take seconds. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(30);

  /**
   * Every program kfboot started that still runs; killed when the JVM ends (Ctrl-C, a fatal error).
   */
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(ExternalProcess::kill), "kfboot-process-reaper"));
  }

  /**
   * Starts {@code pb} and keeps the process in the set the shutdown hook kills; {@link #kill} or
   * {@link #forget} it after.
   */
  public static Process start(ProcessBuilder pb) throws IOException {
    Process p = pb.start();
    LIVE.add(p);
    return p;
  }

  /** A process that has ended, out of the shutdown hook's set. */
  public static void forget(Process p) {
    LIVE.remove(p);
  }

  /**
   * Runs {@code argv} with no input. Failing to start it at all is an IOException for the caller to
   * word; running past {@code timeout} is a {@link TimedOutException} with {@code fix} and {@code
   * category}.
   */
  public static Result run(
      List<String> argv, Path workDir, Duration timeout, String fix, ExitCategory category)
      throws IOException {
    Path out = Files.createTempFile("kfboot-process", ".out");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(argv)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      if (workDir != null) {
        pb.directory(workDir.toFile());
      }
      Process p = start(pb);
      boolean finished;
      try {
        finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        kill(p);
        Thread.currentThread().interrupt();
        throw new KfbootException(
            "interrupted while " + String.join(" ", argv) + " ran",
            "rerun the same command",
            ExitCategory.UNEXPECTED_STATE);
      }
      if (!finished) {
        kill(p);
        throw new TimedOutException(String.join(" ", argv), timeout, fix, category);
      }
      forget(p);
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /**
   * The process and everything it started, so that no orphan keeps running after kfboot. Waits for
   * them to end even when the calling thread was interrupted (a cancelled render is the usual
   * caller): SIGKILL is delivered only once the target is scheduled, and a caller that returns
   * before that would leave a process running behind a failed run.
   */
  public static void kill(Process p) {
    LIVE.remove(p);
    List<ProcessHandle> children = p.descendants().toList();
    children.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    boolean interrupted = Thread.interrupted();
    long deadline = System.nanoTime() + KILL_WAIT.toNanos();
    try {
      // our own child is reaped by the JVM; its children are reaped by whoever adopts them, so a
      // zombie among them counts as ended
      while ((p.isAlive() || children.stream().anyMatch(ExternalProcess::running))
          && System.nanoTime() - deadline < 0) {
        try {
          p.waitFor(20, TimeUnit.MILLISECONDS);
          if (!p.isAlive()) {
            Thread.sleep(20);
          }
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + h.pid() + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      // no /proc entry (gone, or not Linux): trust isAlive
      return h.isAlive();
    }
  }
}
