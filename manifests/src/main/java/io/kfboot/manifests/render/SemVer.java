package io.kfboot.manifests.render;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A major.minor.patch version, enough to compare kustomize versions. */
public record SemVer(int major, int minor, int patch) implements Comparable<SemVer> {
  private static final Pattern PATTERN = Pattern.compile("v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  public static SemVer parse(String s) {
    Matcher m = PATTERN.matcher(s.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("not a version: '" + s + "'");
    }
    return new SemVer(
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
  }

  @Override
  public int compareTo(SemVer o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) c = Integer.compare(minor, o.minor);
    if (c == 0) c = Integer.compare(patch, o.patch);
    return c;
  }

  public boolean isOlderThan(SemVer o) {
    return compareTo(o) < 0;
  }

  @Override
  public String toString() {
    return "v" + major + "." + minor + "." + patch;
  }
}
