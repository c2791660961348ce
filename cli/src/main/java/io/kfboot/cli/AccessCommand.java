package io.kfboot.cli;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kfboot access}: how to open Kubeflow. A NodePort or LoadBalancer gateway has an address to
 * print; the upstream ClusterIP gateway gets a port-forward, as the seeds ran {@code kubectl
 * port-forward svc/istio-ingressgateway -n istio-system 8080:80}, held until Ctrl-C.
 */
@Command(
    name = "access",
    mixinStandardHelpOptions = true,
    description = "Print Kubeflow's address (NodePort or LoadBalancer gateway), or port-forward to istio-ingressgateway and hold it until"
        + " Ctrl-C (ClusterIP, upstream's default). --print-only never forwards.")
final class AccessCommand implements Callable<Integer> {
  static final String NAMESPACE = "istio-system";
  static final String SERVICE = "istio-ingressgateway";
  private final Main.Context context;

  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Option(names = "--port", paramLabel = "N", description = "Local port of the port-forward (default: ${DEFAULT-VALUE}).")
  int port = 8080;

  @Option(names = "--print-only", description = "Say how to reach Kubeflow, but start no port-forward.")
  boolean printOnly;

  AccessCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (port < 1 || port > 65535) {
      throw new CliException("--port " + port + " is no TCP port", "give a port from 1 to 65535, e.g. 8080");
    }
    cluster.requireKubeconfig(context.env());
    try (KubernetesClient client = cluster.connect(context.env())) {
      Service svc = client.services().inNamespace(NAMESPACE).withName(SERVICE).get();
      if (svc == null) {
        throw new CliException("there is no Service " + NAMESPACE + "/" + SERVICE, "install Kubeflow first ('kfboot install' or 'kfboot up')");
      }
      String url = address(client, svc);
      if (url != null) {
        context.out().println(url);
        context.out().flush();
        return ExitCodes.OK;
      }
      if (printOnly) {
        context.out().println("kubectl port-forward -n " + NAMESPACE + " svc/" + SERVICE + " " + port + ":80   # then http://localhost:" + port);
        context.out().flush();
        return ExitCodes.OK;
      }
      try (LocalPortForward forward = client.services().inNamespace(NAMESPACE).withName(SERVICE)
          .portForward(80, InetAddress.getLoopbackAddress(), port)) {
        context.out().println("Kubeflow at http://localhost:" + forward.getLocalPort() + " (port-forward to " + NAMESPACE + "/" + SERVICE + "; Ctrl-C stops it)");
        context.out().flush();
        new CountDownLatch(1).await();
      }
      return ExitCodes.OK;
    }
  }

  /** The gateway's own address: a LoadBalancer's ingress, or a node's address and the NodePort of port 80; null for ClusterIP. */
  static String address(KubernetesClient client, Service svc) {
    String type = svc.getSpec().getType();
    ServicePort http = svc.getSpec().getPorts().stream().filter(p -> p.getPort() == 80).findFirst().orElse(null);
    if ("LoadBalancer".equals(type) && svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null
        && svc.getStatus().getLoadBalancer().getIngress() != null && !svc.getStatus().getLoadBalancer().getIngress().isEmpty()) {
      var ingress = svc.getStatus().getLoadBalancer().getIngress().get(0);
      return "http://" + (ingress.getIp() != null ? ingress.getIp() : ingress.getHostname());
    }
    if (("NodePort".equals(type) || "LoadBalancer".equals(type)) && http != null && http.getNodePort() != null) {
      for (Node n : client.nodes().list().getItems()) {
        if (n.getStatus() != null && n.getStatus().getAddresses() != null) {
          for (var a : n.getStatus().getAddresses()) {
            if ("InternalIP".equals(a.getType()) || "ExternalIP".equals(a.getType())) {
              return "http://" + a.getAddress() + ":" + http.getNodePort();
            }
          }
        }
      }
    }
    return null;
  }
}
