package io.kfboot.components.access;

import io.kfboot.components.auth.AuthConfig;
import io.kfboot.components.gateway.GatewayConfig;
import io.kfboot.components.profiles.ProfileSpec;
import java.util.List;

/**
 * Who reaches the platform and how: the inventory's (or the stack's) {@code auth:}, {@code
 * profiles:} and {@code gateway:} sections. Read by {@link AccessConfigLoader} from the same file
 * as the hosts, which the bootstrap's inventory loader reads; each layer reads its own sections.
 */
public record AccessConfig(AuthConfig auth, List<ProfileSpec> profiles, GatewayConfig gateway) {
  public static final AccessConfig DEFAULTS =
      new AccessConfig(AuthConfig.DEFAULTS, List.of(), GatewayConfig.DEFAULTS);

  public AccessConfig {
    profiles = List.copyOf(profiles);
  }
}
