package io.kfboot.cli;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.Up;
import io.kfboot.platform.VerifySuite;
import io.kfboot.verify.check.Reports;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kfboot up}: the platform's {@link Up} pipeline, or the Pulumi stack with {@code --engine
 * pulumi}.
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description =
        "Hosts to k3s, storage and GPUs, Kubeflow, then verify, as numbered phases; rerun it to"
            + " resume. --engine pulumi runs the Pulumi stack in stacks/ instead (needs the pulumi"
            + " CLI).")
final class UpCommand extends BaseCommand {
  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      description = "cli (kfboot itself) or pulumi (default: ${DEFAULT-VALUE}).",
      defaultValue = "cli")
  String engine;

  @Mixin Options.Hosts hosts = new Options.Hosts();
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Selection selection = new Options.Selection();
  @Mixin PulumiOptions pulumi = new PulumiOptions();

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long one readiness gate or check may take (default: 10m).")
  Duration timeout;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "The kubeconfig the cluster is merged into (as kubectl finds it).")
  Path kubeconfig;

  @Option(
      names = "--admin-email",
      paramLabel = "EMAIL",
      descriptionKey = "ADMIN_EMAIL",
      description = "The Dex user (as for install).")
  String adminEmail;

  @Option(
      names = "--gateway-url",
      paramLabel = "URL",
      descriptionKey = "GATEWAY_URL",
      description = "Kubeflow's address (as for verify).")
  String gatewayUrl;

  @Option(names = "--skip-verify", description = "Stop after the install.")
  boolean skipVerify;

  UpCommand(Main.Context context) {
    super(context);
  }

  @Override
  void check() {
    if (!engine.equals("cli") && !engine.equals("pulumi")) {
      throw new KfbootException(
          "--engine " + engine + " is no engine kfboot has",
          "use --engine cli (the default) or --engine pulumi",
          ExitCategory.INVALID_INPUT);
    }
    if (pulumi()) {
      pulumi.action();
    } else {
      pulumi.requireNone();
    }
  }

  private boolean pulumi() {
    return engine.equals("pulumi");
  }

  @Override
  void input(SettingsInput in) {
    if (pulumi()) {
      return; // the stack reads its own config
    }
    hosts.into(in);
    release.into(in);
    selection.into(in);
    in.timeout = timeout;
    in.adminEmail = adminEmail;
    in.gatewayUrl = gatewayUrl;
  }

  @Override
  int run(PlatformSettings settings) {
    if (pulumi()) {
      print(pulumi.run(context));
      return ExitCodes.OK;
    }
    VerifySuite.Options d = VerifySuite.Options.defaults();
    VerifySuite.Options verify =
        skipVerify
            ? null
            : new VerifySuite.Options(
                d.only(), d.skip(), d.namespace(), settings.timeout(), d.poll(), 1, null);
    Up.Result r = new Up(settings, listener(settings)).run(kubeconfig, verify);
    if (verify == null) {
      print(
          "cluster "
              + r.kubeconfig().context()
              + " ready in "
              + r.kubeconfig().file()
              + "; verify skipped");
      return ExitCodes.OK;
    }
    print(Reports.text(r.verify()));
    return VerifySuite.passed(r.verify()) ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
  }
}
