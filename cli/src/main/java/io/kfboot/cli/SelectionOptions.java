package io.kfboot.cli;

import io.kfboot.components.k3s.GatewayServiceType;
import io.kfboot.components.k3s.IstioCniK3sPaths;
import io.kfboot.components.k3s.K3sAdaptation;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Which components, and how they are adapted to k3s. */
final class SelectionOptions {
  @Option(
      names = "--components",
      split = ",",
      paramLabel = "ID",
      description = "Components to install, with their dependencies (default: the release's defaults).")
  List<String> components = new ArrayList<>();

  @Option(names = "--without", split = ",", paramLabel = "ID", description = "Components to leave out.")
  List<String> without = new ArrayList<>();

  @Option(
      names = "--gateway-service-type",
      paramLabel = "TYPE",
      description = "ClusterIP (upstream), NodePort or LoadBalancer for istio-ingressgateway.")
  String gatewayServiceType;

  @Option(names = "--gpu", description = "Add the NVIDIA device plugin and the nvidia RuntimeClass (for clusters with GPU nodes).")
  boolean gpu;

  @Option(
      names = "--no-k3s-adaptations",
      description = "Render upstream objects exactly, without kfboot's k3s patches.")
  boolean noK3sAdaptations;

  List<K3sAdaptation> adaptations() {
    List<K3sAdaptation> list = new ArrayList<>();
    if (!noK3sAdaptations) {
      list.add(new IstioCniK3sPaths());
    }
    if (gatewayServiceType != null) {
      try {
        list.add(new GatewayServiceType(gatewayServiceType));
      } catch (IllegalArgumentException e) {
        throw new CliException(
            "--gateway-service-type " + gatewayServiceType + " is not a Service type kfboot sets",
            "use ClusterIP, NodePort or LoadBalancer");
      }
    }
    return list;
  }
}
