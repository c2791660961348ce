package io.kfboot.components.access;

import io.kfboot.components.auth.AuthConfig;

/**
 * Who reaches the platform and how: the inventory's (or the stack's) {@code auth:} section. Read by
 * {@link AccessConfigLoader} from the same file as the hosts, which the bootstrap's inventory
 * loader reads; each layer reads its own sections.
 */
public record AccessConfig(AuthConfig auth) {
  public static final AccessConfig DEFAULTS = new AccessConfig(AuthConfig.DEFAULTS);
}
