package io.kfboot.cli;

import io.kfboot.platform.Hosts;
import io.kfboot.platform.PlatformSettings;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kfboot kubeconfig}: the cluster's admin kubeconfig merged into the user's, 0600. */
@Command(
    name = "kubeconfig",
    mixinStandardHelpOptions = true,
    description =
        "Fetch k3s' admin kubeconfig from the first server, point it at the API endpoint, name it"
            + " after the cluster, and merge it into a kubeconfig file (mode 0600).")
final class KubeconfigCommand extends HostsCommand.HostCommand {
  @Option(
      names = "--out",
      paramLabel = "FILE",
      description =
          "The kubeconfig to merge into. Env KUBECONFIG (first file); default: ~/.kube/config.")
  Path out;

  KubeconfigCommand(Main.Context context) {
    super(context);
  }

  @Override
  int run(PlatformSettings settings) {
    Hosts.Merged m = new Hosts(settings, listener(settings)).mergeKubeconfig(out);
    print(
        "context "
            + m.context()
            + " ("
            + m.server()
            + ") merged into "
            + m.file()
            + "; use it with kubectl --context "
            + m.context());
    return ExitCodes.OK;
  }
}
