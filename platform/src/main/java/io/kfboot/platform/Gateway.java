package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.kfboot.components.gateway.GatewayPatch;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * How to reach Kubeflow: Istio's ingress gateway. A NodePort or LoadBalancer gateway has an address
 * of its own; upstream's ClusterIP gateway is reached through a port-forward, as the seeds ran
 * {@code kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80}.
 */
public final class Gateway {
  public static final String NAMESPACE = "istio-system";
  public static final String SERVICE = "istio-ingressgateway";

  private Gateway() {}

  /** The gateway Service, which an install made. */
  public static Service require(KubernetesClient client) {
    Service svc = client.services().inNamespace(NAMESPACE).withName(SERVICE).get();
    if (svc == null) {
      throw new KfbootException(
          "there is no Service " + NAMESPACE + "/" + SERVICE,
          "install Kubeflow first ('kfboot install' or 'kfboot up')",
          ExitCategory.INVALID_INPUT);
    }
    return svc;
  }

  /**
   * The gateway's own address: a LoadBalancer's ingress, or a node's address and the NodePort of
   * port 80; null for ClusterIP.
   */
  public static String address(KubernetesClient client, Service svc) {
    String type = svc.getSpec().getType();
    ServicePort http =
        svc.getSpec().getPorts().stream().filter(p -> p.getPort() == 80).findFirst().orElse(null);
    if ("LoadBalancer".equals(type)
        && svc.getStatus() != null
        && svc.getStatus().getLoadBalancer() != null
        && svc.getStatus().getLoadBalancer().getIngress() != null
        && !svc.getStatus().getLoadBalancer().getIngress().isEmpty()) {
      var ingress = svc.getStatus().getLoadBalancer().getIngress().get(0);
      return "http://" + (ingress.getIp() != null ? ingress.getIp() : ingress.getHostname());
    }
    if (("NodePort".equals(type) || "LoadBalancer".equals(type))
        && http != null
        && http.getNodePort() != null) {
      for (Node n : client.nodes().list().getItems()) {
        if (n.getStatus() != null && n.getStatus().getAddresses() != null) {
          for (NodeAddress a : n.getStatus().getAddresses()) {
            if ("InternalIP".equals(a.getType()) || "ExternalIP".equals(a.getType())) {
              return "http://" + a.getAddress() + ":" + http.getNodePort();
            }
          }
        }
      }
    }
    return null;
  }

  /**
   * How a person reaches the gateway.
   *
   * @param url the gateway's own address; null where it needs a port-forward
   * @param caFile the exported CA of its certificate, where it is the cluster's own; else null
   * @param note for an HTTPS gateway without an exported CA, why there is none; else null
   */
  public record Reach(String url, Path caFile, String note) {}

  /**
   * The gateway's address on the settings' cluster: the public name of the inventory's gateway:,
   * else the Service's own address; the CA of an HTTPS gateway exported to a file.
   */
  public static Reach reach(PlatformSettings settings) {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      Service svc = require(client);
      String url =
          settings
              .access()
              .gateway()
              .publicBase()
              .map(URI::toString)
              .orElseGet(() -> address(client, svc));
      Path ca =
          GatewayCa.export(client, settings, ClusterConnection.clusterName(client)).orElse(null);
      boolean servesTls =
          client.secrets().inNamespace(NAMESPACE).withName(GatewayPatch.TLS_SECRET).get() != null;
      if (!settings.access().gateway().https() && servesTls) {
        // installed with gateway.tls, asked without the inventory
        return new Reach(
            url,
            null,
            "this gateway serves HTTPS with the certificate in Secret istio-system/"
                + GatewayPatch.TLS_SECRET
                + ": pass -i with the inventory whose gateway: names its host, for its URL and CA");
      }
      String note =
          ca == null && settings.access().gateway().https()
              ? "no CA exported: the gateway's certificate has no CA of the cluster's own yet (see"
                  + " kubectl -n istio-system get certificate "
                  + GatewayPatch.CERTIFICATE
                  + "), or a public CA signs it"
              : null;
      return new Reach(url, ca, note);
    }
  }

  /**
   * Holds a port-forward on loopback {@code port} until the thread is interrupted (Ctrl-C); {@code
   * ready} gets its URL.
   */
  public static void holdForward(PlatformSettings settings, int port, Consumer<String> ready)
      throws IOException, InterruptedException {
    try (KubernetesClient client = new ClusterConnection(settings).connect();
        LocalPortForward forward = forward(client, port)) {
      ready.accept("http://localhost:" + forward.getLocalPort());
      new CountDownLatch(1).await();
    }
  }

  /** What to run by hand for a port-forward on {@code port}. */
  public static String portForwardCommand(int port) {
    return "kubectl port-forward -n "
        + NAMESPACE
        + " svc/"
        + SERVICE
        + " "
        + port
        + ":80   # then http://localhost:"
        + port;
  }

  /** A port-forward on loopback {@code port} to the gateway's port 80, held until closed. */
  public static LocalPortForward forward(KubernetesClient client, int port) throws IOException {
    return client
        .services()
        .inNamespace(NAMESPACE)
        .withName(SERVICE)
        .portForward(80, InetAddress.getLoopbackAddress(), port);
  }
}
