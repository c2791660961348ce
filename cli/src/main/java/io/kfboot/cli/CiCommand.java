package io.kfboot.cli;

import io.kfboot.platform.EphemeralCluster;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.VerifySuite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kfboot ci}: an ephemeral Kubeflow for a CI job (the platform's {@link EphemeralCluster}).
 */
@Command(
    name = "ci",
    mixinStandardHelpOptions = true,
    description =
        "Start an ephemeral k3s in Docker, install the selected components, run verify and write"
            + " JUnit XML; the cluster is removed afterwards unless --keep. Needs a Docker engine"
            + " that runs privileged containers (exit 5 without one).")
final class CiCommand extends BaseCommand {
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Selection selection = new Options.Selection();

  @Option(
      names = "--report-junit",
      paramLabel = "FILE",
      description = "Where verify's JUnit XML goes (default: ${DEFAULT-VALUE}).")
  Path junit = Path.of("kfboot-verify.xml");

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long one gate or check may take (default: 10m).")
  Duration timeout;

  @Option(
      names = "--skip",
      split = ",",
      paramLabel = "ID",
      description = "Verify checks to leave out (as for verify).")
  List<String> skip = new ArrayList<>();

  @Option(
      names = "--keep",
      description = "Leave the cluster running; its kubeconfig path is printed.")
  boolean keep;

  CiCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    release.into(in);
    selection.into(in);
    in.timeout = timeout;
  }

  @Override
  int run(PlatformSettings settings) {
    VerifySuite.Options d = VerifySuite.Options.defaults();
    VerifySuite.Options verify =
        new VerifySuite.Options(
            d.only(), skip, d.namespace(), settings.timeout(), d.poll(), 1, junit);
    EphemeralCluster.Result r;
    try {
      r = new EphemeralCluster(settings, listener(settings)).run(verify, keep);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    print(
        "JUnit report: "
            + junit.toAbsolutePath()
            + (r.keptKubeconfig() != null
                ? "; cluster kept, kubeconfig " + r.keptKubeconfig()
                : ""));
    return VerifySuite.passed(r.verify()) ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
  }
}
