package io.kfboot.cli;

import com.pulumi.automation.AutomationException;
import com.pulumi.automation.DestroyOptions;
import com.pulumi.automation.LocalWorkspace;
import com.pulumi.automation.PreviewOptions;
import com.pulumi.automation.UpOptions;
import com.pulumi.automation.WorkspaceStack;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.core.ExitCategory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kfboot up}: the whole path in one command. With the CLI engine (the default): the
 * inventory's hosts to k3s, its kubeconfig merged, storage, GPUs and Kubeflow installed, then
 * verified; each phase is the command of its own ({@code hosts up}, {@code kubeconfig}, {@code
 * install}, {@code verify}) and, like them, changes nothing on a rerun, so {@code up} resumes
 * where it stopped. With {@code --engine pulumi}: the Pulumi stack in stacks/ through Pulumi's
 * Automation API, which runs the {@code pulumi} CLI.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = "Hosts to k3s, storage and GPUs, Kubeflow, then verify: 'kfboot hosts up', 'kfboot kubeconfig', 'kfboot install' and"
        + " 'kfboot verify' in one go; rerun it to resume. --engine pulumi runs the Pulumi stack in stacks/ instead (needs the pulumi CLI).")
final class UpCommand implements Callable<Integer> {
  private final Main.Context context;

  @Option(names = "--engine", paramLabel = "ENGINE", description = "cli (kfboot itself) or pulumi (default: ${DEFAULT-VALUE}).", defaultValue = "cli")
  String engine;

  @Mixin HostsCommand.HostOptions hosts = new HostsCommand.HostOptions();
  @Mixin ReleaseOptions release = new ReleaseOptions();
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(names = "--timeout", paramLabel = "DURATION", description = "How long one readiness gate or check may take (default: ${DEFAULT-VALUE}).")
  String timeout = "10m";

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig the cluster is merged into. Env KUBECONFIG (first file); default: ~/.kube/config.")
  Path kubeconfig;

  @Option(names = "--admin-email", paramLabel = "EMAIL", description = "The Dex user (as for install).")
  String adminEmail;

  @Option(names = "--gateway-url", paramLabel = "URL", description = "Kubeflow's address for the login check (as for verify).")
  String gatewayUrl;

  @Option(names = "--skip-verify", description = "Stop after the install.")
  boolean skipVerify;

  @Option(names = "--stack", paramLabel = "NAME", description = "With --engine pulumi: the stack, created if missing (default: ${DEFAULT-VALUE}).", defaultValue = "dev")
  String stack;

  @Option(names = "--dir", paramLabel = "DIR", description = "With --engine pulumi: the Pulumi project (default: ${DEFAULT-VALUE}).", defaultValue = "stacks")
  Path dir;

  @Option(names = "--preview", description = "With --engine pulumi: only show what would change.")
  boolean preview;

  @Option(names = "--destroy", description = "With --engine pulumi: remove what the stack made.")
  boolean destroy;

  UpCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    return switch (engine) {
      case "cli" -> cli();
      case "pulumi" -> pulumi();
      default -> throw new CliException("--engine " + engine + " is no engine kfboot has", "use --engine cli (the default) or --engine pulumi");
    };
  }

  private void phase(int n, String what) {
    context.err().println("== [" + n + "/4] " + what);
  }

  private int cli() {
    if (preview || destroy) {
      throw new CliException("--preview and --destroy belong to --engine pulumi", "for kfboot's own engine: 'kfboot hosts plan' previews, 'kfboot down' removes");
    }
    Inventory inv = hosts.load(); // every flag and the inventory are checked before anything runs
    InstallCommand.InstallTuning tuning = new InstallCommand.InstallTuning();
    tuning.timeout = timeout;
    tuning.options();
    phase(1, "hosts: " + inv.hosts().size() + " hosts to k3s " + inv.k3s().version());
    HostsCommand.run(context, hosts, false);

    phase(2, "kubeconfig: context " + inv.cluster());
    KubeconfigCommand kc = new KubeconfigCommand(context);
    kc.options = hosts;
    kc.out = kubeconfig;
    kc.call();

    ClusterOptions cluster = new ClusterOptions();
    cluster.kubeconfig = kubeconfig;
    cluster.context = inv.cluster();
    phase(3, "install: storage " + inv.storage().mode().key() + (inv.hosts().stream().anyMatch(Inventory.Host::gpu) ? ", GPUs" : "") + ", Kubeflow");
    InstallCommand install = new InstallCommand(context);
    install.release = release;
    install.selection = selection;
    install.cluster = cluster;
    install.tuning = tuning;
    install.platformOptions.inventory = hosts.inventory;
    install.adminEmail = adminEmail;
    install.output = OutputFormat.text;
    install.call();
    if (skipVerify) {
      return ExitCodes.OK;
    }
    phase(4, "verify");
    VerifyCommand verify = new VerifyCommand(context);
    verify.cluster = cluster;
    verify.gatewayUrl = gatewayUrl;
    verify.timeSlicing = inv.nvidia().timeSlicing();
    verify.timeout = timeout;
    verify.output = OutputFormat.text;
    return verify.call();
  }

  private int pulumi() {
    if (preview && destroy) {
      throw new CliException("--preview and --destroy exclude each other", "give one");
    }
    if (!Files.isRegularFile(dir.resolve("Pulumi.yaml"))) {
      throw new CliException(dir.resolve("Pulumi.yaml") + " does not exist", "run from the repository root, or point --dir at the folder with kfboot's Pulumi.yaml");
    }
    if (onPath("pulumi", context.env().get("PATH")) == null) {
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
      super(message, fix, ExitCategory.MISSING_TOOL);
    }
  }
}
