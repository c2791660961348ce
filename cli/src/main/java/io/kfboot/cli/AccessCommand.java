package io.kfboot.cli;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.platform.Gateway;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot access}: how to open Kubeflow, an address or a port-forward held until Ctrl-C. */
@Command(
    name = "access",
    mixinStandardHelpOptions = true,
    description =
        "Print Kubeflow's address (NodePort or LoadBalancer gateway), or port-forward to"
            + " istio-ingressgateway and hold it until Ctrl-C (ClusterIP, upstream's default)."
            + " --print-only never forwards.")
final class AccessCommand extends BaseCommand {
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.AccessInventory inventory = new Options.AccessInventory();

  @Option(
      names = "--port",
      paramLabel = "N",
      description = "Local port of the port-forward (default: ${DEFAULT-VALUE}).")
  int port = 8080;

  @Option(
      names = "--print-only",
      description = "Say how to reach Kubeflow, but start no port-forward.")
  boolean printOnly;

  AccessCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    cluster.into(in);
    inventory.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    if (port < 1 || port > 65535) {
      throw new KfbootException(
          "--port " + port + " is no TCP port",
          "give a port from 1 to 65535, e.g. 8080",
          ExitCategory.INVALID_INPUT);
    }
    Gateway.Reach reach = Gateway.reach(settings);
    String url = reach.url();
    if (url == null && reach.note() != null) {
      print(reach.note());
    }
    if (url != null) {
      print(url);
      if (reach.caFile() != null) {
        print(
            "CA certificate: "
                + reach.caFile()
                + "  (trust it in the browser; e.g. curl --cacert "
                + reach.caFile()
                + " "
                + url
                + ")");
      } else if (reach.note() != null) {
        print(reach.note());
      }
    } else if (printOnly) {
      print(Gateway.portForwardCommand(port));
    } else {
      try {
        Gateway.holdForward(
            settings,
            port,
            at ->
                print(
                    "Kubeflow at "
                        + at
                        + " (port-forward to "
                        + Gateway.NAMESPACE
                        + "/"
                        + Gateway.SERVICE
                        + "; Ctrl-C stops it)"));
      } catch (IOException e) {
        throw new KfbootException(
            "cannot port-forward on localhost:" + port + ": " + e.getMessage(),
            "give another --port",
            ExitCategory.CLUSTER);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return ExitCodes.OK;
  }
}
