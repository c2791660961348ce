package io.kfboot.cli;

import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostOperator;
import io.kfboot.bootstrap.host.LocalHostOperator;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.k3s.ClusterBootstrap;
import io.kfboot.bootstrap.ssh.SshHostOperator;
import io.kfboot.bootstrap.ssh.SshTarget;
import io.kfboot.bootstrap.steps.StepRunner;
import io.kfboot.stacks.HostExtras;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot hosts plan|up}: an inventory's hosts to a k3s cluster over SSH. */
@Command(
    name = "hosts",
    mixinStandardHelpOptions = true,
    description = "Prepare an inventory's hosts and install k3s on them over SSH.",
    subcommands = {HostsCommand.Plan.class, HostsCommand.Up.class, HostsCommand.Reset.class, HostsCommand.OneStep.class})
final class HostsCommand {
  static final String ENV_KNOWN_HOSTS = "KFBOOT_KNOWN_HOSTS";
  /** A private key's content (CI secrets, the Pulumi stack): used for every host, before the inventory's key. */
  static final String ENV_SSH_PRIVATE_KEY = "KFBOOT_SSH_PRIVATE_KEY";

  /** Options of every command that reaches hosts. */
  static final class HostOptions {
    @Option(names = {"-i", "--inventory"}, paramLabel = "FILE", description = "The inventory (see README, 'Inventory'); required.")
    Path inventory;

    @Option(names = "--known-hosts", paramLabel = "FILE", description = "Host keys are checked against this. Env " + ENV_KNOWN_HOSTS + "; default: ~/.ssh/known_hosts.")
    Path knownHosts;

    @Option(names = "--accept-new-host-keys", description = "Record the keys of hosts not yet in known_hosts instead of refusing them (a changed key is always refused).")
    boolean acceptNewHostKeys;

    @Option(names = "--local", description = "Run on this machine instead of over SSH (an inventory of one host).")
    boolean local;

    @Option(names = "--print-commands", description = "Print every command before it runs, secrets redacted.")
    boolean printCommands;

    @Option(names = "--parallelism", paramLabel = "N", description = "Hosts worked on at once (default: ${DEFAULT-VALUE}).")
    int parallelism = 8;

    @Option(names = "--command-timeout", paramLabel = "SECONDS", description = "Longest one command may run (default: ${DEFAULT-VALUE}).")
    int commandTimeoutSeconds = 600;

    Inventory load() {
      if (inventory == null) {
        throw new CliException("no inventory given", "pass -i inventory.yaml (see README, 'Inventory and host bootstrap')");
      }
      Inventory inv = InventoryLoader.load(inventory);
      if (local && inv.hosts().size() != 1) {
        throw new CliException("--local works on an inventory of exactly one host; " + inventory + " has " + inv.hosts().size(),
            "drop --local to reach the hosts over SSH");
      }
      if (parallelism < 1 || parallelism > 256) {
        throw new CliException("--parallelism " + parallelism + " is out of range", "use a number from 1 to 256");
      }
      return inv;
    }

    /** The bootstrap of this inventory with these options, the GPU and storage steps included. */
    ClusterBootstrap bootstrap(Inventory inv, Main.Context context) {
      return new ClusterBootstrap(inv, connect(context.env(), context.err()), context.env(),
          Duration.ofSeconds(commandTimeoutSeconds), parallelism, progress(context.err()), HostExtras.steps());
    }

    Function<Inventory.Host, HostOperator> connect(Map<String, String> env, PrintStream err) {
      Path home = Path.of(Optional.ofNullable(env.get("HOME")).orElse(System.getProperty("user.home")));
      Path known = Optional.ofNullable(knownHosts).or(() -> Optional.ofNullable(env.get(ENV_KNOWN_HOSTS)).filter(s -> !s.isBlank()).map(Path::of))
          .orElse(home.resolve(".ssh/known_hosts"));
      if (acceptNewHostKeys) {
        err.println("WARNING: --accept-new-host-keys: keys of hosts not in " + known + " are trusted on first sight and recorded;"
            + " check them with ssh-keyscan if this network is not yours");
      }
      Path agent = Optional.ofNullable(env.get("SSH_AUTH_SOCK")).filter(s -> !s.isBlank()).map(Path::of).orElse(null);
      Path envKey = Optional.ofNullable(env.get(ENV_SSH_PRIVATE_KEY)).filter(s -> !s.isBlank()).map(HostsCommand::keyFile).orElse(null);
      return h -> {
        HostOperator op = local ? new LocalHostOperator(h.name())
            : new SshHostOperator(new SshTarget(h.name(), h.address(), h.port(), h.user(), envKey != null ? envKey : h.identityFile(), agent, known,
                acceptNewHostKeys, Duration.ofSeconds(15), Duration.ofSeconds(15)), err::println);
        return printCommands ? new Printing(op, err) : op;
      };
    }
  }

  /** The key from the environment in a 0600 file of this process's own, removed when it exits. */
  private static Path keyFile(String key) {
    try {
      Path f = java.nio.file.Files.createTempFile("kfboot-ssh-key", "",
          java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      f.toFile().deleteOnExit();
      java.nio.file.Files.writeString(f, key.endsWith("\n") ? key : key + "\n");
      return f;
    } catch (java.io.IOException e) {
      throw new CliException("cannot keep the key from " + ENV_SSH_PRIVATE_KEY + " in a private temporary file: " + e.getMessage(),
          "check that the temporary directory (java.io.tmpdir) is writable");
    }
  }

  /** Prints each command, redacted, before it runs. */
  private record Printing(HostOperator inner, PrintStream err) implements HostOperator {
    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public ExecResult exec(io.kfboot.bootstrap.command.Command command, Duration timeout) {
      synchronized (err) {
        err.println("[" + name() + "] $ " + command.redacted());
      }
      return inner.exec(command, timeout);
    }

    @Override
    public void upload(byte[] content, String path, int mode, String owner) {
      synchronized (err) {
        err.println("[" + name() + "] put " + path + " (" + content.length + " bytes, mode " + String.format("%04o", mode) + ")");
      }
      inner.upload(content, path, mode, owner);
    }

    @Override
    public byte[] read(String path) {
      return inner.read(path);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** One line per step and host, prefixed with the host, as steps finish. */
  static java.util.function.Consumer<StepRunner.Result> progress(PrintStream err) {
    return r -> {
      synchronized (err) {
        err.println("[" + r.host() + "] " + r.step() + ": " + r.status().name().toLowerCase().replace('_', ' ') + " (" + r.detail() + ")");
      }
    };
  }

  static int run(Main.Context context, HostOptions options, boolean plan) {
    Inventory inv = options.load();
    inv.warnings().forEach(w -> context.err().println("warning: " + w));
    List<StepRunner.Result> results = options.bootstrap(inv, context).run(plan);
    long changes = results.stream().filter(r -> r.status() != StepRunner.Status.OK).count();
    context.out().println(plan
        ? (changes == 0 ? "all " + inv.hosts().size() + " hosts are as desired" : changes + " steps would change something; 'kfboot hosts up' applies them")
        : "cluster " + inv.cluster() + ": " + inv.hosts().size() + " hosts ready, " + changes + " steps changed something; next: kfboot kubeconfig -i " + options.inventory);
    return ExitCodes.OK;
  }

  @Command(name = "reset", mixinStandardHelpOptions = true,
      description = "Undo 'up' in reverse: k3s uninstalled (agents first), kfboot's sysctl and module files removed, swap back on if kfboot"
          + " turned it off. --dry-run only looks.")
  static final class Reset implements Callable<Integer> {
    private final Main.Context context;
    @Mixin HostOptions options = new HostOptions();

    @Option(names = "--dry-run", description = "Print what would be undone; change nothing.")
    boolean dryRun;

    @Option(names = "--host", paramLabel = "NAME", description = "Only this host (the Pulumi stack's delete of a host).")
    String host;

    Reset(Main.Context context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      Inventory inv = options.load();
      ClusterBootstrap b = options.bootstrap(inv, context);
      List<StepRunner.Result> results = host == null ? b.reset(dryRun) : b.resetHost(host, dryRun);
      long changes = results.stream().filter(r -> r.status() != StepRunner.Status.OK).count();
      context.out().println((dryRun ? changes + " steps would be undone" : changes + " steps undone") + " on " + inv.hosts().size() + " hosts");
      return ExitCodes.OK;
    }
  }

  @Command(name = "step", mixinStandardHelpOptions = true,
      description = "Run one step on one host (check, apply, check again), after the checks of the steps before it; what the Pulumi stack"
          + " runs for each of its host resources. The order across steps and hosts is the caller's.")
  static final class OneStep implements Callable<Integer> {
    private final Main.Context context;
    @Mixin HostOptions options = new HostOptions();

    @Option(names = "--host", required = true, paramLabel = "NAME", description = "The inventory host.")
    String host;

    @Option(names = "--step", required = true, paramLabel = "ID", description = "The step id, as 'kfboot hosts plan' prints it; nodes-ready on the first server.")
    String step;

    @Option(names = "--plan", description = "Only check.")
    boolean plan;

    OneStep(Main.Context context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      List<StepRunner.Result> results = options.bootstrap(options.load(), context).runStep(host, step, plan);
      StepRunner.Result r = results.get(results.size() - 1);
      context.out().println(r.host() + " " + r.step() + ": " + r.status().name().toLowerCase().replace('_', ' ') + " (" + r.detail() + ")");
      return ExitCodes.OK;
    }
  }

  @Command(name = "plan", mixinStandardHelpOptions = true, description = "Run every step's check on every host and print what 'up' would change. Changes nothing.")
  static final class Plan implements Callable<Integer> {
    private final Main.Context context;
    @Mixin HostOptions options = new HostOptions();

    Plan(Main.Context context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      return run(context, options, true);
    }
  }

  @Command(name = "up", mixinStandardHelpOptions = true, description = "Prepare every host and install k3s: first server, other servers one by one, agents; then wait for nodes Ready.")
  static final class Up implements Callable<Integer> {
    private final Main.Context context;
    @Mixin HostOptions options = new HostOptions();

    Up(Main.Context context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      return run(context, options, false);
    }
  }
}
