package io.kfboot.stacks.providers;

/**
 * The provider plugins the typed classes of this package were written against. Resource options
 * carry them, so that {@code pulumi up} installs these versions whatever else is on the machine.
 */
public final class ProviderVersions {
  /**
   * pulumi-command: local and remote Command with triggers, and the connection's {@code hostKey}
   * (https://github.com/pulumi/pulumi-command/pull/794), without which it accepts any host key.
   */
  public static final String COMMAND = "1.1.0";

  /**
   * pulumi-kubernetes: yaml/v2 ConfigGroup (4.12+), the {@code pulumi.com/waitFor} annotation
   * (4.18+) and Patch resources.
   */
  public static final String KUBERNETES = "4.18.3";

  private ProviderVersions() {}
}
