package io.kfboot.stacks.providers;

import com.pulumi.core.Output;
import com.pulumi.core.annotations.Import;
import com.pulumi.resources.ResourceArgs;

/** How the command provider reaches a host over SSH ({@code command:remote:Connection}). */
public final class ConnectionArgs extends ResourceArgs {
  @Import(name = "host", required = true)
  private final Output<String> host;

  @Import(name = "port")
  private final Output<Double> port;

  @Import(name = "user")
  private final Output<String> user;

  /** A secret: the stack passes it from secret config. */
  @Import(name = "privateKey")
  private final Output<String> privateKey;

  /**
   * The host's public key ("ssh-ed25519 AAAA..."), which the provider checks the host against;
   * without it the provider accepts any key (https://github.com/pulumi/pulumi-command/issues/755).
   */
  @Import(name = "hostKey")
  private final Output<String> hostKey;

  /**
   * @param hostKey from known_hosts; null only where the stack's config accepts new host keys
   */
  public ConnectionArgs(
      Output<String> host,
      int port,
      Output<String> user,
      Output<String> privateKey,
      String hostKey) {
    this.host = host;
    // the provider's schema types the port as a number; Pulumi numbers are doubles
    this.port = Output.of((double) port);
    this.user = user;
    this.privateKey = privateKey;
    this.hostKey = hostKey == null ? null : Output.of(hostKey);
  }
}
