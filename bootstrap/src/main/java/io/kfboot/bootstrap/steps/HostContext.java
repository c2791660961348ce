package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** A host as steps see it: its operator, its inventory entry, root through sudo where needed. */
public final class HostContext {
  private final HostOperator operator;
  private final Inventory.Host spec;
  private final Inventory inventory;
  private final Duration timeout;
  private final String root;
  private final Map<String, String> discoveredLabels = new ConcurrentSkipListMap<>();
  private HostFacts facts;

  public HostContext(
      HostOperator operator, Inventory.Host spec, Inventory inventory, Duration timeout) {
    this(operator, spec, inventory, timeout, "");
  }

  /**
   * @param root a folder on the host that stands for "/" for the files steps write and read (a
   *     sandbox for tests and the benchmark); "" for the real root
   */
  public HostContext(
      HostOperator operator,
      Inventory.Host spec,
      Inventory inventory,
      Duration timeout,
      String root) {
    this.operator = operator;
    this.spec = spec;
    this.inventory = inventory;
    this.timeout = timeout;
    this.root = root;
  }

  /** Where a host path really is: under the sandbox root, if any. */
  public String path(String p) {
    return root + p;
  }

  /**
   * Node labels that earlier steps found on this host (the GPU count nvidia-smi reports), for the
   * k3s configuration that later steps write. Sorted, so that the rendered file is stable.
   */
  public Map<String, String> discoveredLabels() {
    return discoveredLabels;
  }

  /**
   * The host's facts, probed on first use and kept for this run: nothing kfboot's steps change
   * (packages, swap, sysctl) moves them, and every step that reads them sees the same answer.
   */
  public synchronized HostFacts facts() {
    if (facts == null) {
      facts = HostFacts.probe(this);
    }
    return facts;
  }

  public Inventory.Host spec() {
    return spec;
  }

  public Inventory inventory() {
    return inventory;
  }

  public String name() {
    return operator.name();
  }

  public HostOperator operator() {
    return operator;
  }

  /** Runs as root (through sudo -n when the login user is not root). */
  public ExecResult root(Command c) {
    return operator.exec(spec.sudo() ? c.sudo() : c, timeout);
  }

  /** Runs as root and requires exit 0. */
  public ExecResult rootOk(Command c, String what) {
    return root(c).requireOk(name(), what);
  }

  /** A root-readable file's content, or empty when it does not exist. */
  public Optional<String> file(String hostPath) {
    String path = path(hostPath);
    ExecResult r =
        root(
            Command.shell(
                "test -e " + Command.quote(path) + " || exit 3; cat -- " + Command.quote(path)));
    if (r.exitCode() == 3) {
      return Optional.empty();
    }
    r.requireOk(name(), "reading " + path);
    return Optional.of(r.stdout());
  }

  public void write(String path, String content, int mode) {
    operator.upload(content.getBytes(StandardCharsets.UTF_8), path(path), mode, "root:root");
  }
}
