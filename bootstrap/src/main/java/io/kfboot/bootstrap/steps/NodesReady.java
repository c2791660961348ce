package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.core.Retry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Every node of the inventory registered and Ready, seen through the API on the first server. */
final class NodesReady implements Step {
  /** How often the wait for nodes looks again. */
  static final Duration POLL = Duration.ofSeconds(2);

  private final List<String> names;
  private final Duration timeout;

  NodesReady(List<String> names, Duration timeout) {
    this.names = List.copyOf(names);
    this.timeout = timeout;
  }

  @Override
  public String id() {
    return HostSteps.NODES_READY;
  }

  @Override
  public String description() {
    return names.size() + " nodes Ready";
  }

  @Override
  public Check check(HostContext host) {
    ExecResult r =
        host.root(
            Command.of(
                "k3s",
                "kubectl",
                "get",
                "nodes",
                "-o",
                "jsonpath={range"
                    + " .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status}{\"\\n"
                    + "\"}{end}"));
    if (!r.ok()) {
      return Check.change("wait for the API server (" + r.stderr().trim() + ")");
    }
    Map<String, String> ready = new HashMap<>();
    r.stdout()
        .lines()
        .filter(l -> l.contains("="))
        .forEach(l -> ready.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
    List<String> waiting = names.stream().filter(n -> !"True".equals(ready.get(n))).toList();
    return waiting.isEmpty()
        ? Check.ok(names.size() + " nodes Ready")
        : Check.change("wait for " + String.join(", ", waiting));
  }

  @Override
  public void apply(HostContext host) {
    try {
      Retry.poll(
          "every node Ready",
          () -> {
            Check c = check(host);
            return c.satisfied() ? Retry.Look.done(c) : Retry.Look.<Check>pending(c.detail());
          },
          POLL,
          timeout);
    } catch (Retry.TimedOut e) {
      throw new HostException(
          host.name(),
          "nodes not Ready after " + timeout.toSeconds() + "s: " + e.lastDetail(),
          "look at 'journalctl -u k3s-agent' on those hosts, and at their time sync and"
              + " firewall (6443, 10250, 8472/udp)",
          false);
    }
  }
}
