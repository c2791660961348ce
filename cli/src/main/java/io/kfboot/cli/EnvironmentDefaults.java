package io.kfboot.cli;

import io.kfboot.platform.Setting;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The environment layer of kfboot's precedence: an option whose {@code descriptionKey} names a
 * {@link Setting} takes that setting's variable when the flag is not given. What neither gives is
 * left unset, for the platform to take from the inventory or its default.
 */
final class EnvironmentDefaults implements IDefaultValueProvider {
  private final Map<String, String> env;

  EnvironmentDefaults(Map<String, String> env) {
    this.env = env;
  }

  /** The setting an option stands for, if any. */
  static Optional<Setting> settingOf(ArgSpec arg) {
    if (!(arg instanceof OptionSpec o)
        || o.descriptionKey() == null
        || o.descriptionKey().isEmpty()) {
      return Optional.empty();
    }
    for (Setting s : Setting.values()) {
      if (s.name().equals(o.descriptionKey())) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    return settingOf(arg).map(s -> env.get(s.env())).filter(v -> !v.isBlank()).orElse(null);
  }
}
