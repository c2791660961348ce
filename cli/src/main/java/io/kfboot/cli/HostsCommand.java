package io.kfboot.cli;

import io.kfboot.bootstrap.k3s.K3sUpgrade;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.platform.ClusterLifecycle;
import io.kfboot.platform.ClusterLifecycle.UpgradeRequest;
import io.kfboot.platform.Hosts;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kfboot hosts plan|up|reset|step}: an inventory's hosts to a k3s cluster over SSH. */
@Command(
    name = "hosts",
    mixinStandardHelpOptions = true,
    description = "Prepare an inventory's hosts and install k3s on them over SSH.",
    subcommands = {
      HostsCommand.Plan.class,
      HostsCommand.Up.class,
      HostsCommand.Upgrade.class,
      HostsCommand.Add.class,
      HostsCommand.Remove.class,
      HostsCommand.Reset.class,
      HostsCommand.OneStep.class
    })
final class HostsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * What the hosts subcommands share: the host options, and a count of steps that changed
   * something.
   */
  abstract static class HostCommand extends BaseCommand {
    @Mixin Options.Hosts options = new Options.Hosts();

    HostCommand(Main.Context context) {
      super(context);
    }

    @Override
    void input(SettingsInput in) {
      options.into(in);
    }

    Hosts hosts(PlatformSettings settings) {
      Hosts h = new Hosts(settings, listener(settings));
      h.warnings().forEach(w -> context.err().println("warning: " + w));
      return h;
    }

    static long changes(List<StepRunner.Result> results) {
      return results.stream().filter(r -> r.status() != StepRunner.Status.OK).count();
    }
  }

  @Command(
      name = "plan",
      mixinStandardHelpOptions = true,
      description =
          "Run every step's check on every host and print what 'up' would change. Changes nothing.")
  static final class Plan extends HostCommand {
    Plan(Main.Context context) {
      super(context);
    }

    @Override
    int run(PlatformSettings settings) {
      Hosts hosts = hosts(settings);
      List<StepRunner.Result> results = hosts.plan();
      long changes = changes(results);
      print(
          changes == 0
              ? "all " + hosts.hostCount() + " hosts are as desired"
              : changes + " steps would change something; 'kfboot hosts up' applies them");
      List<String> registries = Hosts.registriesDiffer(results);
      if (!registries.isEmpty()) {
        print(
            "registries.yaml differs from the inventory's on "
                + String.join(", ", registries)
                + ": 'kfboot hosts up' rewrites it and restarts k3s there, one node at a time");
      }
      ClusterLifecycle.Strays strays =
          new ClusterLifecycle(settings, listener(settings), hosts).strayNodesIfRunning();
      if (strays.note() != null) {
        context.err().println("note: " + strays.note());
      }
      strays
          .nodes()
          .forEach(
              n ->
                  print(
                      strays.departed().contains(n)
                          ? "node "
                              + n
                              + " left the inventory: 'kfboot hosts up' drains it and deletes its"
                              + " Node"
                          : "node "
                              + n
                              + " is in the cluster but not in the inventory, and kfboot did not"
                              + " join it: 'kfboot hosts remove --host "
                              + n
                              + "' takes it out"));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description =
          "Prepare every host and install k3s: first server, other servers one by one, agents; then"
              + " wait for nodes Ready.")
  static final class Up extends HostCommand {
    Up(Main.Context context) {
      super(context);
    }

    @Override
    int run(PlatformSettings settings) {
      Hosts hosts = hosts(settings);
      long changes = changes(hosts.up());
      print(
          "cluster "
              + hosts.cluster()
              + ": "
              + hosts.hostCount()
              + " hosts ready, "
              + changes
              + " steps changed something; next: kfboot kubeconfig -i "
              + settings.inventoryFile());
      return ExitCodes.OK;
    }
  }

  /** The hosts subcommands that also talk to the cluster's API. */
  abstract static class LifecycleCommand extends HostCommand {
    @Mixin Options.Cluster cluster = new Options.Cluster();
    @Mixin Options.Output output = new Options.Output();

    @Option(names = "--plan", description = "Only look and print what would happen.")
    boolean plan;

    LifecycleCommand(Main.Context context) {
      super(context);
    }

    @Override
    void input(SettingsInput in) {
      super.input(in);
      cluster.into(in);
    }

    ClusterLifecycle lifecycle(PlatformSettings settings) {
      return new ClusterLifecycle(settings, listener(settings), hosts(settings));
    }
  }

  @Command(
      name = "upgrade",
      mixinStandardHelpOptions = true,
      description =
          "Upgrade k3s in place: the datastore saved first, then servers one at a time and agents"
              + " in batches, each cordoned, drained (PodDisruptionBudgets respected), upgraded,"
              + " waited Ready at the new version and uncordoned. A rerun continues where a"
              + " killed one stopped. The API is reached through --kubeconfig, else the first"
              + " server's admin kubeconfig.")
  static final class Upgrade extends LifecycleCommand {
    @Option(
        names = "--k3s",
        paramLabel = "VERSION",
        description =
            "The target release, e.g. v1.32.5+k3s1; one minor version at a time. Default: the"
                + " inventory's k3s.version, and only where a host with k3s runs another (what"
                + " 'hosts up' and the Pulumi stack do first).")
    String version;

    @Option(
        names = "--batch",
        paramLabel = "N",
        description = "Agents upgraded at once (default: " + UpgradeRequest.DEFAULT_BATCH + ").")
    Integer batch;

    @Option(
        names = "--drain-timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Longest one node's drain may take (default: 5m).")
    Duration drainTimeout;

    @Option(
        names = "--ready-timeout",
        paramLabel = "DURATION",
        converter = DurationConverter.class,
        description = "Longest a node may take to be Ready at the new version (default: 10m).")
    Duration readyTimeout;

    @Option(
        names = "--skip-datastore",
        description =
            "Take no snapshot first: for an external datastore that its own tools back up.")
    boolean skipDatastore;

    @Option(
        names = "--snapshot-dir",
        paramLabel = "DIR",
        description =
            "Where the snapshot and the server token are copied (default:"
                + " $XDG_STATE_HOME/kfboot/k3s-snapshots/<cluster>/<version>-<time>).")
    Path snapshotDir;

    Upgrade(Main.Context context) {
      super(context);
    }

    @Override
    int run(PlatformSettings settings) {
      ClusterLifecycle lifecycle = lifecycle(settings);
      UpgradeRequest request =
          new UpgradeRequest(
              version == null ? lifecycle.inventoryK3sVersion() : version,
              Optional.ofNullable(batch).orElse(UpgradeRequest.DEFAULT_BATCH),
              Optional.ofNullable(drainTimeout).orElse(UpgradeRequest.DEFAULT_DRAIN_TIMEOUT),
              Optional.ofNullable(readyTimeout).orElse(UpgradeRequest.DEFAULT_READY_TIMEOUT),
              skipDatastore,
              snapshotDir);
      Optional<K3sUpgrade.Outcome> outcome =
          version == null
              ? lifecycle.upgradeWhereBehind(request, plan)
              : Optional.of(lifecycle.upgradeK3s(request, plan));
      if (outcome.isEmpty()) {
        if (output.json()) {
          Map<String, Object> root = new LinkedHashMap<>();
          root.put("schemaVersion", 1);
          root.put("target", request.version());
          root.put("planned", plan);
          root.put("upgraded", List.of());
          printJson(root);
        } else {
          print(
              "every host with k3s runs "
                  + request.version()
                  + " (hosts without k3s get it from 'kfboot hosts up')");
        }
        return ExitCodes.OK;
      }
      K3sUpgrade.Outcome o = outcome.get();
      K3sUpgrade.Plan p = o.plan();
      if (output.json()) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", 1);
        root.put("target", p.target().toString());
        root.put("planned", plan);
        root.put(
            "nodes",
            p.nodes().stream()
                .map(
                    n -> {
                      Map<String, Object> m = new LinkedHashMap<>();
                      m.put("host", n.host());
                      m.put("role", n.role().name().toLowerCase());
                      m.put("installed", n.installed().map(Object::toString).orElse(null));
                      m.put("kubelet", n.running().map(Object::toString).orElse(null));
                      m.put("atTarget", n.at(p.target()));
                      return m;
                    })
                .toList());
        root.put("waves", p.waves());
        root.put("datastore", p.datastore());
        root.put("snapshot", o.snapshot() == null ? null : o.snapshot().file().toString());
        root.put("upgraded", o.upgraded());
        printJson(root);
        return ExitCodes.OK;
      }
      StringBuilder sb = new StringBuilder();
      for (K3sUpgrade.NodeState n : p.nodes()) {
        sb.append(
            String.format(
                "%-16s %-6s %-22s -> %s%s%n",
                n.host(),
                n.role().name().toLowerCase(),
                n.running().or(n::installed).map(Object::toString).orElse("?"),
                p.target(),
                n.at(p.target()) ? " (there)" : ""));
      }
      sb.append("datastore: ").append(p.datastore()).append('\n');
      if (plan) {
        if (p.pending().isEmpty()) {
          sb.append("every node runs ").append(p.target()).append(": nothing to do");
        } else {
          sb.append("order: ");
          sb.append(
              String.join(", then ", p.waves().stream().map(w -> String.join(" + ", w)).toList()));
          sb.append("\n'kfboot hosts upgrade --k3s ").append(p.target()).append("' runs it");
        }
      } else {
        if (o.snapshot() != null) {
          sb.append("snapshot: ").append(o.snapshot().file()).append('\n');
        }
        sb.append(
            o.upgraded().isEmpty()
                ? "every node already ran " + p.target()
                : "upgraded " + String.join(", ", o.upgraded()) + " to " + p.target());
      }
      print(sb.toString());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description =
          "Join hosts of the inventory that are not in the cluster yet: the same preparation 'up'"
              + " gives (the NVIDIA runtime on GPU hosts), their labels and taints, then the"
              + " device plugin and storage checked again.")
  static final class Add extends LifecycleCommand {
    @Option(
        names = "--host",
        required = true,
        split = ",",
        paramLabel = "NAME",
        description = "Inventory hosts to add.")
    List<String> names;

    Add(Main.Context context) {
      super(context);
    }

    @Override
    int run(PlatformSettings settings) {
      ClusterLifecycle.Added a = lifecycle(settings).add(names, plan);
      if (output.json()) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", 1);
        root.put("planned", plan);
        root.put("hosts", names);
        root.put("changes", changes(a.steps()));
        root.put("checks", a.checks());
        printJson(root);
        return ExitCodes.OK;
      }
      StringBuilder sb = new StringBuilder();
      a.checks().forEach(c -> sb.append(c).append('\n'));
      sb.append(
          plan
              ? changes(a.steps()) + " steps would change something; drop --plan to add them"
              : String.join(", ", names) + " joined the cluster");
      print(sb.toString());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description =
          "Take a node out: cordoned, drained (PodDisruptionBudgets respected), k3s removed from"
              + " the host, the Node and its node-password Secret deleted. Refused when claims"
              + " keep their data only on that node (local-path) unless --accept-data-loss, and"
              + " when it would leave no server or an even number of etcd members.")
  static final class Remove extends LifecycleCommand {
    @Option(
        names = "--host",
        required = true,
        paramLabel = "NAME",
        description = "The host (or a node the inventory no longer lists).")
    String host;

    @Option(
        names = "--accept-data-loss",
        description = "Remove it even though the listed claims lose their data.")
    boolean acceptDataLoss;

    Remove(Main.Context context) {
      super(context);
    }

    @Override
    int run(PlatformSettings settings) {
      ClusterLifecycle.Removal r = lifecycle(settings).remove(host, acceptDataLoss, plan);
      if (output.json()) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", 1);
        root.put("host", r.host());
        root.put("planned", r.planned());
        root.put("claimsLost", r.claims());
        root.put("hostReset", r.reset());
        root.put("notes", r.notes());
        printJson(root);
        return ExitCodes.OK;
      }
      StringBuilder sb = new StringBuilder();
      sb.append(
          r.planned()
              ? host + " can be removed; drop --plan to remove it"
              : host + " removed from the cluster");
      r.notes().forEach(n -> sb.append("\nnext: ").append(n));
      print(sb.toString());
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description =
          "Undo 'up' in reverse: k3s uninstalled (agents first), kfboot's sysctl and module files"
              + " removed, swap back on if kfboot turned it off. --dry-run only looks.")
  static final class Reset extends HostCommand {
    @Option(names = "--dry-run", description = "Print what would be undone; change nothing.")
    boolean dryRun;

    @Option(
        names = "--host",
        paramLabel = "NAME",
        description =
            "Only this host (the Pulumi stack's delete of a host); its Node and node-password"
                + " Secret then leave the cluster where the API answers. 'hosts remove' drains"
                + " first.")
    String host;

    Reset(Main.Context context) {
      super(context);
    }

    @Override
    int run(PlatformSettings settings) {
      Hosts hosts = hosts(settings);
      List<StepRunner.Result> results = hosts.reset(host, dryRun);
      print(
          (dryRun
                  ? changes(results) + " steps would be undone"
                  : changes(results) + " steps undone")
              + " on "
              + hosts.hostCount()
              + " hosts");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "step",
      mixinStandardHelpOptions = true,
      description =
          "Run one step on one host (check, apply, check again), after the checks of the steps"
              + " before it; what the Pulumi stack runs for each of its host resources. The order"
              + " across steps and hosts is the caller's.")
  static final class OneStep extends HostCommand {
    @Option(
        names = "--host",
        required = true,
        paramLabel = "NAME",
        description = "The inventory host.")
    String host;

    @Option(
        names = "--step",
        required = true,
        paramLabel = "ID",
        description =
            "The step id, as 'kfboot hosts plan' prints it; nodes-ready on the first server.")
    String step;

    @Option(names = "--plan", description = "Only check.")
    boolean plan;

    OneStep(Main.Context context) {
      super(context);
    }

    @Override
    int run(PlatformSettings settings) {
      List<StepRunner.Result> results = hosts(settings).runStep(host, step, plan);
      StepRunner.Result r = results.get(results.size() - 1);
      print(
          r.host()
              + " "
              + r.step()
              + ": "
              + r.status().name().toLowerCase().replace('_', ' ')
              + " ("
              + r.detail()
              + ")");
      return ExitCodes.OK;
    }
  }
}
