package io.kfboot.manifests.render;

import io.kfboot.core.DagExecutor;
import io.kfboot.core.ExternalProcess;
import io.kfboot.manifests.ManifestsException.InvalidSourceException;
import io.kfboot.manifests.ManifestsException.RenderException;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ManifestParser;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Renders kustomization paths of a release tree with a real kustomize, several at once (bounded by
 * the cores), each with a timeout, and parses each output into objects.
 */
public final class Renderer {
  private static final int STDERR_TAIL_CHARS = 4000;

  private final Kustomize kustomize;
  private final int parallelism;
  private final Duration timeout;
  private final Progress progress;

  public Renderer(Kustomize kustomize, int parallelism, Duration timeout, Progress progress) {
    if (parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1");
    }
    this.kustomize = kustomize;
    this.parallelism = parallelism;
    this.timeout = timeout;
    this.progress = progress;
  }

  /** One render per core, 3 minutes each. */
  public static Renderer defaults(Kustomize kustomize, Progress progress) {
    return new Renderer(
        kustomize, Runtime.getRuntime().availableProcessors(), Duration.ofMinutes(3), progress);
  }

  /**
   * Renders each of {@code paths} (relative to {@code root}); the answer keeps their order. The
   * first failure cancels the rest and is thrown.
   */
  public Map<String, RenderedPath> renderAll(Path root, Collection<String> paths) {
    for (String p : paths) {
      Path dir = root.resolve(p).normalize();
      if (!dir.startsWith(root.normalize()) || !Files.isDirectory(dir)) {
        throw new InvalidSourceException(
            "kustomization path '" + p + "' does not exist in " + root,
            "check the component's paths against the release tree");
      }
    }
    List<String> unique = paths.stream().distinct().toList();
    AtomicInteger done = new AtomicInteger();
    List<RenderedPath> rendered;
    try {
      // on a failure the other renders are stopped, and waited for: each kills its kustomize and
      // removes its files before this returns, so a failed run leaves neither behind
      rendered =
          new DagExecutor("kustomize", parallelism, DagExecutor.OnFailure.CANCEL_RUNNING)
              .forEach(
                  unique,
                  p -> {
                    RenderedPath r = render(root, p);
                    progress.report(
                        "rendered "
                            + done.incrementAndGet()
                            + "/"
                            + unique.size()
                            + " "
                            + p
                            + " ("
                            + r.objects().size()
                            + " objects, "
                            + r.took().toMillis()
                            + " ms)");
                    return r;
                  });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RenderException("interrupted while rendering", "run it again", e);
    }
    Map<String, RenderedPath> out = new LinkedHashMap<>();
    rendered.forEach(r -> out.put(r.path(), r));
    return out;
  }

  /** Renders one path, relative to {@code root}. */
  public RenderedPath render(Path root, String path) {
    long start = System.nanoTime();
    Path dir = root.resolve(path);
    List<String> cmd = kustomize.buildCommand(dir);
    Path stdoutFile = null;
    Path stderrFile = null;
    Process process = null;
    try {
      // Both streams go to files: no reader threads to starve, and waitFor's timeout holds.
      stdoutFile = Files.createTempFile("kfboot-kustomize-", ".yaml");
      stderrFile = Files.createTempFile("kfboot-kustomize-", ".stderr");
      // removed below on every path; the JVM removes them if it is stopped first
      stdoutFile.toFile().deleteOnExit();
      stderrFile.toFile().deleteOnExit();
      process =
          ExternalProcess.start(
              new ProcessBuilder(cmd)
                  .directory(root.toFile())
                  .redirectOutput(stdoutFile.toFile())
                  .redirectError(stderrFile.toFile())
                  .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new RenderException(
            "kustomize build " + path + " ran past its timeout of " + timeout.toSeconds() + " s",
            "check for remote bases that hang on the network, or raise --render-timeout");
      }
      if (process.exitValue() != 0) {
        String err = tail(Files.readString(stderrFile, StandardCharsets.UTF_8));
        throw new RenderException(
            "kustomize build " + path + " failed (exit " + process.exitValue() + "): " + err,
            "run '"
                + String.join(" ", cmd)
                + "' to reproduce; a newer kustomize or a vendored bundle may be needed");
      }
      List<K8sObject> objects;
      try (InputStream in = Files.newInputStream(stdoutFile)) {
        objects = ManifestParser.parse(in, path);
      }
      return new RenderedPath(path, objects, Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      throw new RenderException(
          "cannot run " + String.join(" ", cmd) + ": " + e.getMessage(),
          "check the kustomize binary",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RenderException("interrupted while rendering " + path, "run it again", e);
    } finally {
      if (process != null) {
        ExternalProcess.kill(process);
      }
      deleteQuietly(stdoutFile);
      deleteQuietly(stderrFile);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a temp file; the OS cleans it
      }
    }
  }

  private static String tail(String stderr) {
    // kustomize prints deprecation warnings before the error; the error is last.
    List<String> lines = new ArrayList<>();
    for (String line : stderr.split("\n")) {
      if (!line.startsWith("# Warning:") && !line.isBlank()) {
        lines.add(line);
      }
    }
    String joined = String.join("\n", lines).strip();
    return joined.length() <= STDERR_TAIL_CHARS
        ? joined
        : "..." + joined.substring(joined.length() - STDERR_TAIL_CHARS);
  }
}
