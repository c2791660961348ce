package io.kfboot.cli;

import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.VerifySuite;
import io.kfboot.verify.check.CheckResult;
import io.kfboot.verify.check.Reports;
import io.kfboot.verify.check.VerifyCheck;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot verify}: the {@link VerifySuite} of an installed platform, for people and CI. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Check an installed platform in dependency order: nodes, CRDs, webhooks, pods, storage, the"
            + " Dex login, a pipeline run, training, Katib, a notebook, a KServe predict and on GPU"
            + " clusters the GPU checks. Exit 0 when every check passed, 3 when one failed.")
final class VerifyCommand extends BaseCommand {
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.Verify checks = new Options.Verify();
  @Mixin Options.Gateway gateway = new Options.Gateway();
  @Mixin Options.AccessInventory inventory = new Options.AccessInventory();
  @Mixin Options.Credentials credentials = new Options.Credentials();
  @Mixin Options.Output output = new Options.Output();

  @Option(names = "--list", description = "List the checks and exit.")
  boolean list;

  VerifyCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    cluster.into(in);
    gateway.into(in);
    inventory.into(in);
    credentials.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    VerifySuite suite = new VerifySuite(settings, checks.options(), listener(settings));
    if (list) {
      List<VerifyCheck> all = suite.list();
      print(String.join("\n", all.stream().map(c -> c.id() + "  " + c.description()).toList()));
      return ExitCodes.OK;
    }
    List<CheckResult> results = suite.run();
    print(output.json() ? Json.write(Reports.json(results)) : Reports.text(results));
    return VerifySuite.passed(results) ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
  }
}
