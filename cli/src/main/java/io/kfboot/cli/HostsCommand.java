package io.kfboot.cli;

import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.platform.Hosts;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.util.List;
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
      long changes = changes(hosts.plan());
      print(
          changes == 0
              ? "all " + hosts.hostCount() + " hosts are as desired"
              : changes + " steps would change something; 'kfboot hosts up' applies them");
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
        description = "Only this host (the Pulumi stack's delete of a host).")
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
