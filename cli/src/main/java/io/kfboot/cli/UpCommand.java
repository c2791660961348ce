package io.kfboot.cli;

import com.pulumi.automation.AutomationException;
import com.pulumi.automation.DestroyOptions;
import com.pulumi.automation.LocalWorkspace;
import com.pulumi.automation.PreviewOptions;
import com.pulumi.automation.UpOptions;
import com.pulumi.automation.WorkspaceStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kfboot up --engine pulumi}: the whole path (hosts, storage, GPUs, Kubeflow) as the Pulumi
 * stack in stacks/, driven through Pulumi's Automation API, which runs the {@code pulumi} CLI.
 * Without it, says so and how to get it. The CLI's own path is {@code kfboot hosts up}, then
 * {@code kfboot install}.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = "Bring up hosts and Kubeflow through the Pulumi stack (stacks/Pulumi.yaml) with Pulumi's Automation API; needs the"
        + " pulumi CLI on PATH. Without Pulumi: 'kfboot hosts up', then 'kfboot install'.")
final class UpCommand implements Callable<Integer> {
  private final Main.Context context;

  @Option(names = "--engine", required = true, paramLabel = "ENGINE", description = "pulumi (the CLI's own engine is 'kfboot hosts up' and 'kfboot install').")
  String engine;

  @Option(names = "--stack", paramLabel = "NAME", description = "The Pulumi stack, created if missing (default: ${DEFAULT-VALUE}).", defaultValue = "dev")
  String stack;

  @Option(names = "--dir", paramLabel = "DIR", description = "The Pulumi project (default: ${DEFAULT-VALUE}).", defaultValue = "stacks")
  Path dir;

  @Option(names = "--preview", description = "Only show what would change.")
  boolean preview;

  @Option(names = "--destroy", description = "Remove what the stack made: Kubeflow, then the hosts' k3s (reset).")
  boolean destroy;

  UpCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (!engine.equals("pulumi")) {
      throw new CliException("--engine " + engine + " is not an engine kfboot drives from 'up'",
          "use --engine pulumi, or kfboot's own path: 'kfboot hosts up -i inventory.yaml', then 'kfboot install'");
    }
    if (preview && destroy) {
      throw new CliException("--preview and --destroy exclude each other", "give one");
    }
    if (!Files.isRegularFile(dir.resolve("Pulumi.yaml"))) {
      throw new CliException(dir.resolve("Pulumi.yaml") + " does not exist", "run from the repository root, or point --dir at the folder with kfboot's Pulumi.yaml");
    }
    String pulumi = onPath("pulumi", context.env().get("PATH"));
    if (pulumi == null) {
      throw new MissingToolException("the pulumi CLI is not on PATH; the Automation API runs it",
          "install it (https://www.pulumi.com/docs/install/), log in (pulumi login, or pulumi login --local), then rerun");
    }
    try {
      WorkspaceStack ws = LocalWorkspace.createOrSelectStack(stack, dir.toAbsolutePath());
      if (preview) {
        var r = ws.preview(PreviewOptions.builder().onStandardOutput(context.err()::println).onStandardError(context.err()::println).build());
        context.out().println("preview of stack " + stack + ": " + r.changeSummary());
      } else if (destroy) {
        var r = ws.destroy(DestroyOptions.builder().onStandardOutput(context.err()::println).onStandardError(context.err()::println).build());
        context.out().println("stack " + stack + " destroyed: " + r.summary().result());
      } else {
        var r = ws.up(UpOptions.builder().onStandardOutput(context.err()::println).onStandardError(context.err()::println).build());
        context.out().println("stack " + stack + ": " + r.summary().result() + "; outputs: " + String.join(", ", r.outputs().keySet())
            + " (secrets: pulumi stack output --show-secrets)");
      }
      context.out().flush();
      return ExitCodes.OK;
    } catch (AutomationException e) {
      throw new CliException("pulumi failed for stack " + stack + ": " + e.getMessage().lines().findFirst().orElse(""),
          "see its output above; 'pulumi stack -s " + stack + "' in " + dir + " shows the stack");
    }
  }

  static String onPath(String tool, String path) {
    if (path == null) {
      return null;
    }
    for (String d : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(d, tool);
      if (!d.isEmpty() && Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /** A tool kfboot drives is missing: exit code 5, as for kustomize. */
  static final class MissingToolException extends CliException {
    MissingToolException(String message, String fix) {
      super(message, fix);
    }
  }
}
