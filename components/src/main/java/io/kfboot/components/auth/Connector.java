package io.kfboot.components.auth;

import java.nio.file.Path;
import java.util.Map;

/**
 * One Dex connector as the inventory declares it.
 *
 * @param type Dex's connector type: ldap, oidc, github or microsoft
 * @param id Dex's connector id (also part of the variable names of its secrets)
 * @param name what the login page shows
 * @param config Dex's connector config without its secrets, as plain values (maps, lists, strings,
 *     booleans, numbers)
 * @param secrets the config fields that come from a secret, by their dotted path in the config
 * @param rootCaFile a CA certificate (PEM) on this machine that the server's certificate chains to,
 *     or null; kfboot passes it to Dex and trusts it in {@code kfboot auth check}
 */
public record Connector(
    String type,
    String id,
    String name,
    Map<String, Object> config,
    Map<String, SecretRef> secrets,
    Path rootCaFile) {

  /** The config field {@code key} (a top-level one), or null. */
  public Object get(String key) {
    return config.get(key);
  }

  /** A nested mapping of the config ({@code userSearch}), empty when absent. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> section(String key) {
    return config.get(key) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** Where the inventory names this connector in messages. */
  public String where() {
    return "auth.connectors[" + id + "]";
  }
}
