package io.kfboot.manifests.source;

import io.kfboot.manifests.ManifestsException.InvalidSourceException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What {@code --manifests} names: a release tag, a local tarball or a local directory.
 *
 * <p>Parsing is by shape, so that a typo in a path is reported as a missing file rather than as an
 * unknown release: anything with a slash or a tarball suffix is a path.
 */
public sealed interface ManifestsSource {
  /** A tag to download from the release site, e.g. {@code v1.10.2}. */
  record Tag(String tag) implements ManifestsSource {}

  /** A {@code .tar.gz} made by {@code git archive} (GitHub's tag tarballs) or by kfboot vendor. */
  record Tarball(Path file) implements ManifestsSource {}

  /** A checkout or an extracted tree. */
  record Directory(Path dir) implements ManifestsSource {}

  Pattern TAG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  static ManifestsSource parse(String spec) {
    if (spec == null || spec.isBlank()) {
      throw new InvalidSourceException(
          "--manifests is empty",
          "pass a release tag such as v1.10.2, a .tar.gz file or a directory");
    }
    Path path = Path.of(spec);
    if (Files.isDirectory(path)) {
      return new Directory(path.toAbsolutePath().normalize());
    }
    boolean looksLikeTarball = spec.endsWith(".tar.gz") || spec.endsWith(".tgz");
    if (Files.isRegularFile(path)) {
      if (!looksLikeTarball) {
        throw new InvalidSourceException(
            "--manifests " + spec + " is a file but not a .tar.gz or .tgz archive",
            "pass the release tarball (.tar.gz), a directory, or a release tag");
      }
      return new Tarball(path.toAbsolutePath().normalize());
    }
    if (looksLikeTarball || spec.contains("/") || spec.contains(File.separator)) {
      throw new InvalidSourceException(
          "--manifests " + spec + ": no such file or directory",
          "check the path, or pass a release tag such as v1.10.2 to download it");
    }
    if (!TAG.matcher(spec).matches()) {
      throw new InvalidSourceException(
          "--manifests '" + spec + "' is neither an existing path nor a valid release tag",
          "pass a release tag such as v1.10.2, a .tar.gz file or a directory");
    }
    return new Tag(spec);
  }
}
