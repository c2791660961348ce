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

  public ConnectionArgs(Output<String> host, int port, Output<String> user, Output<String> privateKey) {
    this.host = host;
    // the provider's schema types the port as a number; Pulumi numbers are doubles
    this.port = Output.of((double) port);
    this.user = user;
    this.privateKey = privateKey;
  }

  public Output<String> host() {
    return host;
  }

  public Output<String> user() {
    return user;
  }
}
