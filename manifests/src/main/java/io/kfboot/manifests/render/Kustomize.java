package io.kfboot.manifests.render;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.ExternalProcess;
import io.kfboot.manifests.ManifestsException.KustomizeUnavailableException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real kustomize: either the standalone {@code kustomize} binary ({@code kustomize build DIR}) or
 * the one built into kubectl ({@code kubectl kustomize DIR}).
 *
 * <p>Found in this order: the {@code --kustomize} flag, the {@code KFBOOT_KUSTOMIZE} environment
 * variable, {@code kustomize} on PATH, {@code kubectl} on PATH. A flag or variable may name either
 * binary; one whose file name starts with "kubectl" is driven as kubectl.
 */
public final class Kustomize {
  public static final String ENV = "KFBOOT_KUSTOMIZE";
  private static final Pattern STANDALONE_VERSION =
      Pattern.compile("(?:kustomize/)?v?(\\d+\\.\\d+\\.\\d+)");
  private static final Pattern KUBECTL_VERSION =
      Pattern.compile("Kustomize Version:\\s*v?(\\d+\\.\\d+\\.\\d+)");

  private final Path binary;
  private final boolean viaKubectl;
  private final SemVer version;

  private Kustomize(Path binary, boolean viaKubectl, SemVer version) {
    this.binary = binary;
    this.viaKubectl = viaKubectl;
    this.version = version;
  }

  /** Finds and probes kustomize; throws with the fix when there is none. */
  public static Kustomize locate(Optional<Path> flag, Map<String, String> env) {
    Optional<Path> explicit =
        flag.or(() -> Optional.ofNullable(env.get(ENV)).filter(s -> !s.isBlank()).map(Path::of));
    if (explicit.isPresent()) {
      Path p = explicit.get();
      Path resolved =
          p.getNameCount() == 1 && !Files.exists(p) ? onPath(p.toString(), env).orElse(p) : p;
      if (!Files.isExecutable(resolved)) {
        throw new KustomizeUnavailableException(
            "kustomize '"
                + p
                + "' (from "
                + (flag.isPresent() ? "--kustomize" : ENV)
                + ") is not an executable file",
            "point it at a kustomize or kubectl binary, or unset it to search PATH");
      }
      return probe(resolved, resolved.getFileName().toString().startsWith("kubectl"));
    }
    Optional<Path> standalone = onPath("kustomize", env);
    if (standalone.isPresent()) {
      return probe(standalone.get(), false);
    }
    Optional<Path> kubectl = onPath("kubectl", env);
    if (kubectl.isPresent()) {
      return probe(kubectl.get(), true);
    }
    throw new KustomizeUnavailableException(
        "no kustomize found: neither 'kustomize' nor 'kubectl' is on PATH",
        "install kubectl (it bundles kustomize) or kustomize 5.x, or name one with --kustomize or "
            + ENV);
  }

  static Optional<Path> onPath(String name, Map<String, String> env) {
    String path = env.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * How long {@code kustomize version} may take; a binary that hangs there is no usable kustomize.
   */
  static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

  private static Kustomize probe(Path binary, boolean viaKubectl) {
    return probe(binary, viaKubectl, PROBE_TIMEOUT);
  }

  static Kustomize probe(Path binary, boolean viaKubectl, Duration timeout) {
    List<String> cmd =
        viaKubectl
            ? List.of(binary.toString(), "version", "--client")
            : List.of(binary.toString(), "version");
    String out;
    try {
      ExternalProcess.Result r =
          ExternalProcess.run(
              cmd,
              null,
              timeout,
              "check that "
                  + binary
                  + " is a kustomize or kubectl that runs here, or name another with --kustomize",
              ExitCategory.MISSING_TOOL);
      out = r.output();
      if (!r.ok()) {
        throw new KustomizeUnavailableException(
            String.join(" ", cmd) + " exited " + r.exitCode() + ": " + out.strip(),
            "check the binary, or name another with --kustomize");
      }
    } catch (IOException e) {
      throw new KustomizeUnavailableException(
          "cannot run " + binary + ": " + e.getMessage(),
          "check the binary, or name another with --kustomize");
    }
    Matcher m = (viaKubectl ? KUBECTL_VERSION : STANDALONE_VERSION).matcher(out);
    if (!m.find()) {
      throw new KustomizeUnavailableException(
          "cannot tell the kustomize version of " + binary + " from: " + out.strip(),
          viaKubectl
              ? "use kubectl 1.27 or later (it bundles kustomize 5), or a standalone kustomize"
              : "use kustomize 5.x, or name kubectl with --kustomize");
    }
    return new Kustomize(binary, viaKubectl, SemVer.parse(m.group(1)));
  }

  /** Refuses a kustomize older than what the release needs. */
  public Kustomize requireAtLeast(SemVer minimum, String release) {
    if (version.isOlderThan(minimum)) {
      throw new KustomizeUnavailableException(
          describe()
              + " is older than "
              + minimum
              + ", which kubeflow/manifests "
              + release
              + " needs",
          "install kustomize "
              + minimum
              + " or later (or a kubectl that bundles it) and name it with --kustomize");
    }
    return this;
  }

  public SemVer version() {
    return version;
  }

  public Path binary() {
    return binary;
  }

  /** The argv that renders {@code dir} to stdout. */
  public List<String> buildCommand(Path dir) {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.add(viaKubectl ? "kustomize" : "build");
    cmd.add(dir.toString());
    return cmd;
  }

  /** "kustomize v5.5.0 (kubectl /usr/bin/kubectl)". */
  public String describe() {
    return "kustomize " + version + " (" + (viaKubectl ? "kubectl " : "") + binary + ")";
  }
}
