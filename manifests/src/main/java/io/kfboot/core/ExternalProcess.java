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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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

  /** The process and everything it started, so that no orphan keeps running after kfboot. */
  public static void kill(Process p) {
    LIVE.remove(p);
    List<ProcessHandle> children = p.descendants().toList();
    children.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
      for (ProcessHandle c : children) {
        c.onExit().get(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // killed with SIGKILL; one not reaped yet is gone as soon as its new parent reaps it
    }
  }
}
