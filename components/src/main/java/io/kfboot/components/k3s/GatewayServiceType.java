package io.kfboot.components.k3s;

import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import java.util.Map;
import java.util.Set;

/**
 * Exposes the Istio ingress gateway as a NodePort or LoadBalancer Service instead of upstream's
 * ClusterIP. On k3s a LoadBalancer is served by ServiceLB on every node's ports 80 and 443 (with
 * traefik disabled, which kfboot's k3s config does). Only applied when asked for.
 */
public final class GatewayServiceType implements K3sAdaptation {
  private static final Set<String> TYPES = Set.of("ClusterIP", "NodePort", "LoadBalancer");
  private final String type;

  public GatewayServiceType(String type) {
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "gateway service type must be one of " + TYPES + ", got " + type);
    }
    this.type = type;
  }

  @Override
  public String id() {
    return "gateway-service-type";
  }

  @Override
  public String description() {
    return "istio-ingressgateway Service is type " + type;
  }

  @Override
  public String component() {
    return "istio-install";
  }

  @Override
  public String reference() {
    return "https://docs.k3s.io/networking/networking-services#service-load-balancer";
  }

  @Override
  public boolean concerns(K8sObject o) {
    return o.kind().equals("Service") && o.name().equals("istio-ingressgateway");
  }

  @Override
  public boolean appliesTo(K8sObject o) {
    return concerns(o) && o.group().isEmpty() && "istio-system".equals(o.namespace());
  }

  @Override
  public K8sObject apply(K8sObject o) {
    Map<String, Object> body = Trees.deepCopy(o.body());
    Map<String, Object> spec = Trees.map(body.get("spec"));
    spec.put("type", type);
    return Trees.withBody(o, body);
  }
}
