package io.kfboot.cli;

import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.VerifySuite;
import io.kfboot.verify.check.CheckResult;
import io.kfboot.verify.check.Reports;
import io.kfboot.verify.check.VerifyCheck;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kfboot verify}: the {@link VerifySuite} of an installed platform, reported for people and
 * CI.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description =
        "Check an installed platform in dependency order: nodes, CRDs, webhooks, pods, storage, the"
            + " Dex login, a pipeline run, training, Katib, a notebook, a KServe predict and on GPU"
            + " clusters the GPU checks. Exit 0 when every check passed, 3 when one failed.")
final class VerifyCommand extends BaseCommand {
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.Output output = new Options.Output();

  @Option(
      names = "--only",
      split = ",",
      paramLabel = "ID",
      description = "Run these checks (and what they build on); --list names them.")
  List<String> only = new ArrayList<>();

  @Option(
      names = "--skip",
      split = ",",
      paramLabel = "ID",
      description = "Leave these checks out (e.g. inference-service).")
  List<String> skip = new ArrayList<>();

  @Option(
      names = "--namespace",
      paramLabel = "NS",
      description = "The profile namespace the runs go in (default: kubeflow-user-example-com).")
  String namespace;

  @Option(names = "--list", description = "List the checks and exit.")
  boolean list;

  @Option(
      names = "--report-junit",
      paramLabel = "FILE",
      description = "Also write the results as JUnit XML, for CI.")
  Path junit;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "The longest one check may wait (default: 5m).")
  Duration timeout;

  @Option(
      names = "--poll-interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Pause between two looks at a pending check (default: 2s).")
  Duration poll;

  @Option(
      names = "--time-slicing",
      paramLabel = "N",
      description = "Pods per GPU the device plugin was installed with (default: 1).")
  int timeSlicing = 1;

  @Option(
      names = "--gateway-url",
      paramLabel = "URL",
      descriptionKey = "GATEWAY_URL",
      description =
          "Kubeflow's address for the login check, e.g. http://10.0.0.11:31380. Env"
              + " KFBOOT_GATEWAY_URL; default: a port-forward to svc/istio-ingressgateway in"
              + " istio-system.")
  String gatewayUrl;

  @Option(
      names = "--credentials",
      paramLabel = "FILE",
      descriptionKey = "CREDENTIALS",
      description = "The credentials 'kfboot install' wrote (default: as install finds them).")
  Path credentials;

  VerifyCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    cluster.into(in);
    in.gatewayUrl = gatewayUrl;
    in.credentials = credentials;
  }

  VerifySuite.Options options() {
    VerifySuite.Options d = VerifySuite.Options.defaults();
    return new VerifySuite.Options(
        only,
        skip,
        namespace == null ? d.namespace() : namespace,
        timeout == null ? d.timeout() : timeout,
        poll == null ? d.poll() : poll,
        timeSlicing,
        junit);
  }

  @Override
  int run(PlatformSettings settings) {
    VerifySuite suite = new VerifySuite(settings, options(), listener(settings));
    if (list) {
      List<VerifyCheck> checks = suite.list();
      print(String.join("\n", checks.stream().map(c -> c.id() + "  " + c.description()).toList()));
      return ExitCodes.OK;
    }
    List<CheckResult> results = suite.run();
    print(output.json() ? Json.write(Reports.json(results)) : Reports.text(results));
    return VerifySuite.passed(results) ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
  }
}
