package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.inventory.K3sVersion;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The steps that make a host a k3s node, in the order they run; each is a class of its own in this
 * package.
 */
public final class HostSteps {
  /** The id of the last step of {@code up}: on the first server, every node Ready. */
  public static final String NODES_READY = "nodes-ready";

  /** The step that writes registries.yaml. */
  public static final String K3S_REGISTRIES = "k3s-registries";

  /** Where the k3s install script puts the binary, and kfboot looks for it. */
  public static final String K3S_BINARY = "/usr/local/bin/k3s";

  private HostSteps() {}

  /** What every host gets before k3s: checks first (nothing changes if they fail), then setup. */
  /**
   * The k3s release the host's binary is ({@code k3s --version}); empty where k3s is not installed.
   */
  public static Optional<K3sVersion> installedK3s(HostContext host) {
    ExecResult v = host.root(Command.of(host.path(K3S_BINARY), "--version"));
    return v.ok() ? K3sVersion.fromVersionOutput(v.stdout()) : Optional.empty();
  }

  public static List<Step> prepare() {
    return List.of(
        new Preflight(),
        new Network(),
        new Packages(),
        new SwapOff(),
        new KernelModules(),
        new Sysctl(),
        new Docker());
  }

  /**
   * The k3s files: token (0600), config.yaml (0600), registries.yaml (0600) when mirrors are set.
   */
  public static List<Step> k3sFiles(
      String token, boolean first, String joinUrl, Map<String, String> env) {
    return K3sFiles.steps(token, first, joinUrl, env);
  }

  /** k3s at the pinned version, installed with the official script and started. */
  public static Step k3sInstall() {
    return new K3sInstall();
  }

  /** k3s restarted where its binary, config.yaml, registries.yaml or token changed since start. */
  public static Step k3sRestarted() {
    return new K3sRestarted();
  }

  /**
   * On the first server: every node of the inventory registered and Ready within {@code timeout}.
   */
  public static Step nodesReady(List<String> names, Duration timeout) {
    return new NodesReady(names, timeout);
  }
}
