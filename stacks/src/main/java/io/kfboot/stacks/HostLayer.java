package io.kfboot.stacks;

import com.pulumi.core.Output;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.KnownHostKeys;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.k3s.HostPlan;
import io.kfboot.bootstrap.k3s.Kubeconfigs;
import io.kfboot.bootstrap.steps.Step;
import io.kfboot.core.Digests;
import io.kfboot.platform.Setting;
import io.kfboot.stacks.providers.ConnectionArgs;
import io.kfboot.stacks.providers.LocalCommand;
import io.kfboot.stacks.providers.RemoteCommand;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The host layer: one resource per host and step of {@code kfboot hosts up}, each running that one
 * step through {@code kfboot hosts step} (check, apply, check again over SSH with known_hosts
 * checked), so that the stack and the CLI share every step rather than the stack holding copies of
 * them as scripts. The order is the {@link HostPlan}'s, the same waves the CLI runs: within a host
 * each step after the one before; a wave's first steps after the last steps of the wave before (or
 * of every host, for the final wait). Deleting a host's first step (what all its others depend on,
 * so deleted last) resets the host. Before all of them, {@code kfboot hosts upgrade} runs whenever
 * the inventory's k3s version changes. The kubeconfig comes from the first server through {@code
 * command:remote:Command}.
 */
public final class HostLayer {
  private HostLayer() {}

  /**
   * @param inventoryFile where the program wrote the stack's inventory for {@code kfboot}
   * @param kfboot the command line that runs kfboot, e.g. "java -cp /path/kfboot.jar
   *     io.kfboot.cli.Main"
   * @param plan the waves of {@code hosts up} for the stack's inventory
   * @return the first server's kubeconfig, pointed at the API endpoint (secret), and the last host
   *     resource
   */
  public static Result define(
      StackConfig config,
      String inventoryFile,
      String kfboot,
      HostPlan plan,
      Output<String> token,
      Output<String> sshKey,
      String joinUrl) {
    Inventory inv = config.inventory();
    Output<Map<String, String>> environment =
        Output.tuple(token, sshKey)
            .applyValue(t -> Map.of(StackConfig.TOKEN_ENV, t.t1, Setting.SSH_PRIVATE_KEY_ENV, t.t2))
            .asSecret();
    String digest = Digests.sha256Hex(config.inventoryYaml());
    // kfboot checks host keys against known_hosts, as the CLI does; accepting new ones is the
    // config's explicit choice
    String hostOptions =
        " -i "
            + Command.quote(inventoryFile)
            + " --known-hosts "
            + Command.quote(config.knownHosts().toString())
            + (config.acceptNewHostKeys() ? " --accept-new-host-keys" : "");
    String step = kfboot + " hosts step" + hostOptions;
    String reset = kfboot + " hosts reset" + hostOptions;
    // a new k3s version in the stack's inventory: hosts that run another one are upgraded first,
    // drained and one at a time, by the CLI's own upgrade (nothing happens on fresh hosts); the
    // steps after it then find k3s at the version
    Resource upgrade =
        new LocalCommand(
            "k3s-upgrade",
            new LocalCommand.Args(
                kfboot + " hosts upgrade" + hostOptions,
                null,
                environment,
                List.of(inv.k3s().version())),
            CustomResourceOptions.builder().build());
    Map<String, Resource> lastOfHost = new LinkedHashMap<>();
    List<Resource> lastOfWave = List.of(upgrade);
    Resource last = null;
    for (HostPlan.Wave wave : plan.waves()) {
      List<Resource> waitFor =
          wave.after() == HostPlan.After.EVERY_HOST ? List.copyOf(lastOfHost.values()) : lastOfWave;
      List<Resource> thisWave = new ArrayList<>();
      for (Map.Entry<String, List<Step>> e : wave.steps().entrySet()) {
        String host = e.getKey();
        Resource previous = lastOfHost.get(host);
        boolean first = true;
        for (Step s : e.getValue()) {
          Set<Resource> deps = new LinkedHashSet<>();
          if (previous != null) {
            deps.add(previous);
          }
          if (first) {
            deps.addAll(waitFor);
            if (!wave.parallel() && !thisWave.isEmpty()) {
              // a wave the CLI runs one host at a time (the agents' rolling restart) runs so here
              deps.add(thisWave.get(thisWave.size() - 1));
            }
          }
          // a host's very first step is what all its others follow: deleted last, it resets the
          // host
          String delete = previous == null ? reset + " --host " + Command.quote(host) : null;
          previous =
              new LocalCommand(
                  host + "-" + s.id(),
                  new LocalCommand.Args(
                      step + " --host " + Command.quote(host) + " --step " + Command.quote(s.id()),
                      delete,
                      environment,
                      List.of(digest)),
                  CustomResourceOptions.builder().dependsOn(new ArrayList<>(deps)).build());
          first = false;
        }
        lastOfHost.put(host, previous);
        thisWave.add(previous);
        last = previous;
      }
      lastOfWave = thisWave;
    }
    Host firstServer = inv.servers().get(0);
    String hostKey =
        KnownHostKeys.find(config.knownHosts(), firstServer.address(), firstServer.port())
            .orElse(null);
    if (hostKey == null && !config.acceptNewHostKeys()) {
      throw new StackConfigException(
          List.of(
              "the host key of "
                  + firstServer.name()
                  + " ("
                  + firstServer.address()
                  + ") is not in "
                  + config.knownHosts()
                  + ": check it and add it (ssh-keyscan -p "
                  + firstServer.port()
                  + " "
                  + firstServer.address()
                  + " >> "
                  + config.knownHosts()
                  + "), or set kfboot:acceptNewHostKeys true to trust it unseen"));
    }
    ConnectionArgs connection =
        new ConnectionArgs(
            Output.of(firstServer.address()),
            firstServer.port(),
            Output.of(firstServer.user()),
            sshKey,
            hostKey);
    String read = Command.of("cat", K3S_KUBECONFIG).sudo().shellLine();
    RemoteCommand fetch =
        new RemoteCommand(
            firstServer.name() + "-kubeconfig",
            new RemoteCommand.Args(
                connection,
                Output.of(firstServer.sudo() ? read : "cat " + K3S_KUBECONFIG),
                null,
                null,
                List.of(digest)),
            CustomResourceOptions.builder().dependsOn(last).build());
    Output<String> kubeconfig =
        fetch
            .stdout()
            .applyValue(
                yaml -> {
                  if (yaml == null || yaml.isBlank()) {
                    throw new IllegalStateException(
                        firstServer.name()
                            + " printed no "
                            + K3S_KUBECONFIG
                            + "; is k3s running there? ('kfboot hosts plan' tells)");
                  }
                  return Kubeconfigs.merge("", Kubeconfigs.fromK3s(yaml, inv.cluster(), joinUrl));
                })
            .asSecret();
    return new Result(kubeconfig, fetch);
  }

  /** Where k3s writes its admin kubeconfig. */
  static final String K3S_KUBECONFIG = "/etc/rancher/k3s/k3s.yaml";

  /**
   * The cluster's kubeconfig (secret) and the resource that fetched it, which everything on the
   * cluster follows.
   */
  public record Result(Output<String> kubeconfig, Resource ready) {}
}
