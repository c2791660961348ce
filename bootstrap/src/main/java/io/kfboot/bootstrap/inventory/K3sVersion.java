package io.kfboot.bootstrap.inventory;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A k3s release, {@code vMAJOR.MINOR.PATCH+k3sN} as k3s tags them (https://github.com/k3s-io/k3s
 * /releases): the Kubernetes version it ships and k3s' own build of it, ordered the way upgrades
 * go.
 */
public record K3sVersion(int major, int minor, int patch, int build)
    implements Comparable<K3sVersion> {
  static final Pattern FORMAT = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)\\+k3s(\\d+)");

  /** What {@code k3s --version} prints first: "k3s version v1.32.4+k3s1 (commit)". */
  private static final Pattern IN_TEXT = Pattern.compile("v\\d+\\.\\d+\\.\\d+\\+k3s\\d+");

  private static final Comparator<K3sVersion> ORDER =
      Comparator.comparingInt(K3sVersion::major)
          .thenComparingInt(K3sVersion::minor)
          .thenComparingInt(K3sVersion::patch)
          .thenComparingInt(K3sVersion::build);

  /** The version, or empty where {@code text} is not one. */
  public static Optional<K3sVersion> tryParse(String text) {
    Matcher m = text == null ? null : FORMAT.matcher(text.strip());
    if (m == null || !m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new K3sVersion(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3)),
            Integer.parseInt(m.group(4))));
  }

  /** The version, or an input error that shows the format. */
  public static K3sVersion parse(String text) {
    return tryParse(text)
        .orElseThrow(
            () ->
                new KfbootException(
                    "'" + text + "' is not a k3s version",
                    "give a k3s release as its tag reads, e.g. v1.33.4+k3s1"
                        + " (https://github.com/k3s-io/k3s/releases)",
                    ExitCategory.INVALID_INPUT));
  }

  /** The version in the first line of {@code k3s --version}, or empty. */
  public static Optional<K3sVersion> fromVersionOutput(String output) {
    Matcher m = IN_TEXT.matcher(output == null ? "" : output);
    return m.find() ? tryParse(m.group()) : Optional.empty();
  }

  /**
   * The k3s release of a kubelet version as a Node reports it ({@code v1.32.4+k3s1}); kubelets that
   * report no k3s build are empty.
   */
  public static Optional<K3sVersion> fromKubelet(String kubeletVersion) {
    return tryParse(kubeletVersion);
  }

  /** "v1.32", for messages about minor releases. */
  public String minorLine() {
    return "v" + major + "." + minor;
  }

  /** Whether going from {@code this} to {@code target} passes over a minor release. */
  public boolean skipsMinorTo(K3sVersion target) {
    return target.major == major && target.minor > minor + 1 || target.major > major;
  }

  /**
   * Whether this k3s has the {@code default-runtime} setting: v1.29.0, and the December 2023
   * backports v1.28.5, v1.27.9 and v1.26.12 (https://github.com/k3s-io/k3s/pull/8936, #9013, #9014,
   * and #9027 for servers).
   */
  public boolean hasDefaultRuntime() {
    return since(29, Map.of(28, 5, 27, 9, 26, 12));
  }

  /**
   * Whether k3s' embedded registry mirror (Spegel) is generally available in this release:
   * v1.29.12, v1.30.8, v1.31.4 and later (https://docs.k3s.io/installation/registry-mirror;
   * experimental before).
   */
  public boolean hasEmbeddedRegistry() {
    return since(32, Map.of(31, 4, 30, 8, 29, 12));
  }

  /**
   * Whether k3s imports new archives in agent/images while it runs: v1.32.0, v1.31.5, v1.30.9,
   * v1.29.13 and later (https://docs.k3s.io/installation/airgap); before, only at start.
   */
  public boolean importsImagesWhileRunning() {
    return since(32, Map.of(31, 5, 30, 9, 29, 13));
  }

  /**
   * A k3s feature's releases: every v1.{@code minor}.x, and the patches it was backported to in
   * older minor lines ({@code backports}: minor to first patch).
   */
  private boolean since(int minor, Map<Integer, Integer> backports) {
    if (major != 1) {
      return major > 1;
    }
    return this.minor >= minor
        || backports.containsKey(this.minor) && patch >= backports.get(this.minor);
  }

  /** The tag of k3s' upgrade image for this release: '+' is not allowed in image tags. */
  public String imageTag() {
    return toString().replace('+', '-');
  }

  @Override
  public int compareTo(K3sVersion o) {
    return ORDER.compare(this, o);
  }

  public boolean isNewerThan(K3sVersion o) {
    return compareTo(o) > 0;
  }

  @Override
  public String toString() {
    return "v" + major + "." + minor + "." + patch + "+k3s" + build;
  }
}
