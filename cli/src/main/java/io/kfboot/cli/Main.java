package io.kfboot.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.inventory.InventoryException;
import io.kfboot.components.auth.CredentialsException;
import io.kfboot.components.catalog.CatalogException;
import io.kfboot.components.install.InstallException;
import io.kfboot.verify.VerifyException;
import io.kfboot.manifests.ManifestsException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;

/** The {@code kfboot} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    if (PulumiProgram.underEngine(System.getenv(), args)) {
      // started by 'pulumi up' (stacks/Pulumi.yaml): kfboot.jar is the stack's program
      PulumiProgram.run(System.getenv(), System.err);
      return;
    }
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs kfboot with an explicit environment and streams; the exit code is returned. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Context context = new Context(env, out, err);
    CommandLine cli = new CommandLine(new KfbootCommand(), new ContextFactory(context));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          report(e, err);
          return ExitCodes.forException(e);
        });
    cli.setParameterExceptionHandler(
        (e, args2) -> {
          err.println("kfboot: error: " + e.getMessage());
          CommandLine.UnmatchedArgumentException.printSuggestions(e, new PrintWriter(err, true));
          err.println("  fix: see 'kfboot " + commandPath(e.getCommandLine()) + " --help'");
          return ExitCodes.INVALID_INPUT;
        });
    return cli.execute(args);
  }

  private static String commandPath(CommandLine cl) {
    String name = cl.getCommandSpec().qualifiedName(" ");
    return name.startsWith("kfboot ") ? name.substring("kfboot ".length()) : "";
  }

  /** What kfboot says about an error beside its message: the fix, and diagnostics if any. */
  private record Explained(String fix, String diagnostics) {}

  private static Explained explain(Throwable e) {
    if (e instanceof ManifestsException me) {
      return new Explained(me.fix(), "");
    } else if (e instanceof CatalogException ce) {
      return new Explained(ce.fix(), "");
    } else if (e instanceof CliException ce) {
      return new Explained(ce.fix(), "");
    } else if (e instanceof CredentialsException ce) {
      return new Explained(ce.fix(), "");
    } else if (e instanceof InventoryException ie) {
      return new Explained(ie.fix(), "");
    } else if (e instanceof HostException he) {
      return new Explained(he.fix(), "");
    } else if (e instanceof InstallException ie) {
      return new Explained(ie.fix(), ie.diagnostics());
    } else if (e instanceof VerifyException ve) {
      return new Explained(ve.fix(), ve.diagnostics());
    }
    return null;
  }

  static void report(Throwable e, PrintStream err) {
    Explained explained = explain(e);
    if (explained != null) {
      err.println("kfboot: error: " + e.getMessage());
      err.println("  fix: " + explained.fix());
      if (!explained.diagnostics().isBlank()) {
        err.println("diagnostics:");
        err.print(explained.diagnostics().indent(2));
      }
    } else if (e instanceof KubernetesClientException ke) {
      err.println("kfboot: error: the Kubernetes API answered " + (ke.getCode() > 0 ? "HTTP " + ke.getCode() : "nothing") + ": "
          + (ke.getMessage() == null ? "" : ke.getMessage().lines().findFirst().orElse("")));
      err.println("  fix: check that the cluster in the kubeconfig is up and reachable (kubectl get nodes) and that its user is cluster-admin");
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
