package io.kfboot.manifests.source;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A kubeflow/manifests release: its tag and the commit id the tag points to.
 *
 * @param tag the git tag, e.g. {@code v1.10.2} or {@code 26.03}
 * @param commit the full 40-hex commit id that {@code git archive} writes into the pax header
 */
public record ReleaseRef(String tag, String commit) {
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  public ReleaseRef {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(commit, "commit");
    if (!COMMIT.matcher(commit).matches()) {
      throw new IllegalArgumentException(
          "release " + tag + ": commit must be 40 lower-case hex digits, got '" + commit + "'");
    }
  }

  public String shortCommit() {
    return commit.substring(0, 12);
  }

  @Override
  public String toString() {
    return tag + " (" + shortCommit() + ")";
  }
}
