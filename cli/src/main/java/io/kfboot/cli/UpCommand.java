package io.kfboot.cli;

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

/** {@code kfboot up}: the platform's {@link Up} pipeline, or the stack with --engine pulumi. */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description =
        "Hosts to k3s, storage and GPUs, Kubeflow, then verify, as numbered phases; rerun it to"
            + " resume. --engine pulumi runs the Pulumi stack in stacks/ instead (needs the pulumi"
            + " CLI).")
final class UpCommand extends BaseCommand {
  @Mixin PulumiOptions pulumi = new PulumiOptions();
  @Mixin Options.Hosts hosts = new Options.Hosts();
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Selection selection = new Options.Selection();
  @Mixin Options.Admin admin = new Options.Admin();
  @Mixin Options.Issuer issuer = new Options.Issuer();
  @Mixin Options.Gateway gateway = new Options.Gateway();
  @Mixin Options.Credentials credentials = new Options.Credentials();

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

  @Option(names = "--skip-verify", description = "Stop after the install.")
  boolean skipVerify;

  UpCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    if (pulumi.pulumi()) {
      return; // the stack reads its own config
    }
    hosts.into(in);
    release.into(in);
    selection.into(in);
    admin.into(in);
    issuer.into(in);
    gateway.into(in);
    credentials.into(in);
    in.timeout = timeout;
  }

  @Override
  int run(PlatformSettings settings) {
    if (pulumi.pulumi()) {
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
    print(InstallCommand.logins(r.installed()));
    if (verify == null) {
      print(
          "cluster "
              + r.kubeconfig().context()
              + " in "
              + r.kubeconfig().file()
              + "; verify skipped");
      return ExitCodes.OK;
    }
    print(Reports.text(r.verify()));
    return VerifySuite.passed(r.verify()) ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
  }
}
