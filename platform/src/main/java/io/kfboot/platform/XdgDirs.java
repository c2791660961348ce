package io.kfboot.platform;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where kfboot keeps files of the user's, by the XDG base directory specification: settings and
 * credentials under {@code $XDG_CONFIG_HOME} (default ~/.config), backups under {@code
 * $XDG_STATE_HOME} (default ~/.local/state).
 */
final class XdgDirs {
  private XdgDirs() {}

  static Path configHome(Map<String, String> env) {
    return fromEnv(env, "XDG_CONFIG_HOME").orElseGet(() -> home(env).resolve(".config"));
  }

  static Path stateHome(Map<String, String> env) {
    return fromEnv(env, "XDG_STATE_HOME").orElseGet(() -> home(env).resolve(".local/state"));
  }

  private static Optional<Path> fromEnv(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).filter(s -> !s.isBlank()).map(Path::of);
  }

  private static Path home(Map<String, String> env) {
    return Path.of(
        Optional.ofNullable(env.get("HOME"))
            .filter(s -> !s.isBlank())
            .orElse(System.getProperty("user.home")));
  }
}
