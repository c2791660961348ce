package io.kfboot.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kfboot.core.KfbootException;
import io.kfboot.core.Nearest;
import io.kfboot.stacks.PulumiProgram;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The {@code kfboot} command: the one place failures are reported and turned into exit codes. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (PulumiProgram.underEngine(System.getenv(), args)) {
      // started by 'pulumi up' (stacks/Pulumi.yaml): kfboot.jar is the stack's program
      PulumiProgram.run(System.getenv(), System.err, Main.class.getName());
      return;
    }
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs kfboot with an explicit environment and streams; the exit code is returned. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Context context = new Context(env, out, err);
    CommandLine cli = commandLine(context);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          report(e, err);
          return ExitCodes.forException(e);
        });
    cli.setParameterExceptionHandler(
        (e, unused) -> {
          err.println("kfboot: error: " + e.getMessage() + fromEnvironment(e));
          CommandLine.UnmatchedArgumentException.printSuggestions(e, new PrintWriter(err, true));
          err.println("  fix: see 'kfboot " + commandPath(e.getCommandLine()) + " --help'");
          return ExitCodes.INVALID_INPUT;
        });
    Optional<String> unknown = unknownCommand(cli, args);
    if (unknown.isPresent()) {
      // picocli lets a help request win over an unknown word; a typo must not pass as help
      err.println("kfboot: error: " + unknown.get());
      err.println("  fix: see 'kfboot --help' for the commands");
      return ExitCodes.INVALID_INPUT;
    }
    return cli.execute(args);
  }

  /** The command tree, with the environment layer of kfboot's precedence. */
  static CommandLine commandLine(Context context) {
    CommandLine cli = new CommandLine(new KfbootCommand(), new ContextFactory(context));
    cli.setDefaultValueProvider(new EnvironmentDefaults(context.env()));
    return cli;
  }

  /** The first word that names no subcommand where one is expected, with the nearest ones. */
  static Optional<String> unknownCommand(CommandLine root, String[] args) {
    CommandLine current = root;
    for (String a : args) {
      if (a.startsWith("-") || current.getSubcommands().isEmpty()) {
        return Optional.empty();
      }
      CommandLine next = current.getSubcommands().get(a);
      if (next == null) {
        List<String> near = new ArrayList<>();
        for (String name : current.getSubcommands().keySet()) {
          if (Nearest.distance(a, name) <= 2 || name.startsWith(a)) {
            near.add(name);
          }
        }
        String where = current == root ? "kfboot" : "kfboot " + commandPath(current);
        return Optional.of(
            "'"
                + a
                + "' is no command of "
                + where
                + (near.isEmpty() ? "" : "; did you mean " + String.join(" or ", near) + "?"));
      }
      current = next;
    }
    return Optional.empty();
  }

  /** A bad value that came from the environment says so. */
  private static String fromEnvironment(CommandLine.ParameterException e) {
    ArgSpec arg = e.getArgSpec();
    if (arg instanceof OptionSpec o
        && e.getCommandLine().getParseResult() != null
        && !e.getCommandLine().getParseResult().hasMatchedOption(o)) {
      return EnvironmentDefaults.settingOf(arg).map(s -> " (from " + s.env() + ")").orElse("");
    }
    return "";
  }

  private static String commandPath(CommandLine cl) {
    String name = cl.getCommandSpec().qualifiedName(" ");
    return name.startsWith("kfboot ") ? name.substring("kfboot ".length()) : "";
  }

  static void report(Throwable e, PrintStream err) {
    if (e instanceof KfbootException k) {
      err.println("kfboot: error: " + k.getMessage());
      err.println("  fix: " + k.fix());
      if (!k.diagnostics().isBlank()) {
        err.println("diagnostics:");
        err.print(k.diagnostics().indent(2));
      }
    } else if (e instanceof KubernetesClientException ke) {
      err.println(
          "kfboot: error: the Kubernetes API answered "
              + (ke.getCode() > 0 ? "HTTP " + ke.getCode() : "nothing")
              + ": "
              + (ke.getMessage() == null ? "" : ke.getMessage().lines().findFirst().orElse("")));
      err.println(
          "  fix: check that the cluster in the kubeconfig is up and reachable (kubectl get nodes)"
              + " and that its user is cluster-admin");
    } else {
      err.println("kfboot: internal error: " + e);
      e.printStackTrace(err);
      err.println("  fix: this is a bug in kfboot; please report it with the output above");
    }
  }

  /** What every command gets from outside: environment and streams. */
  record Context(Map<String, String> env, PrintStream out, PrintStream err) {}

  /** Hands the context to commands that take it in their constructor. */
  private record ContextFactory(Context context) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      try {
        return cls.getDeclaredConstructor(Context.class).newInstance(context);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      }
    }
  }
}
