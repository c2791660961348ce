package io.kfboot.manifests.source;

import io.kfboot.manifests.ManifestsException.InvalidSourceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * kfboot's cache: {@code $XDG_CACHE_HOME/kfboot} or {@code ~/.cache/kfboot}.
 *
 * <ul>
 *   <li>{@code downloads/} release tarballs, written whole or not at all;
 *   <li>{@code trees/} extracted releases, one folder per tarball content;
 *   <li>{@code tmp/} work in progress; the only place a failed run leaves anything.
 * </ul>
 */
public record CacheDirs(Path root) {

  /** Resolves the root the XDG way. {@code env} is injectable for tests. */
  public static CacheDirs fromEnvironment(Map<String, String> env) {
    String override = env.get("KFBOOT_CACHE_DIR");
    if (override != null && !override.isBlank()) {
      return new CacheDirs(Path.of(override).toAbsolutePath());
    }
    String xdg = env.get("XDG_CACHE_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return new CacheDirs(Path.of(xdg, "kfboot").toAbsolutePath());
    }
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return new CacheDirs(Path.of(home, ".cache", "kfboot").toAbsolutePath());
  }

  public Path downloads() {
    return ensure(root.resolve("downloads"));
  }

  public Path trees() {
    return ensure(root.resolve("trees"));
  }

  public Path tmp() {
    return ensure(root.resolve("tmp"));
  }

  private static Path ensure(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new InvalidSourceException(
          "cannot create cache folder " + dir + ": " + e.getMessage(),
          "set KFBOOT_CACHE_DIR or XDG_CACHE_HOME to a writable folder");
    } catch (UncheckedIOException e) {
      throw e;
    }
  }
}
