package io.kfboot.components.auth;

import java.util.Map;

/**
 * How a plan's secret references become values: from the environment and files when the plan is
 * about to be applied, as visible placeholders when it is only shown ({@code kfboot plan}, which
 * must not need the secrets and never applies anything).
 */
@FunctionalInterface
public interface SecretValues {
  /**
   * @param field the inventory key that names the reference, for the error when it cannot be read
   */
  String value(SecretRef ref, String field);

  /** The values, read from {@code environment} and files. */
  static SecretValues from(Map<String, String> environment) {
    return (ref, field) -> ref.resolve(environment, field);
  }

  /** Placeholders naming each reference; for plans that are printed, never applied. */
  SecretValues PLACEHOLDERS = (ref, field) -> "<" + ref.describe() + ">";
}
