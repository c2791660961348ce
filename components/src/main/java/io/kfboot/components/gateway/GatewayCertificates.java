package io.kfboot.components.gateway;

import io.kfboot.components.gateway.GatewayConfig.Acme;
import io.kfboot.manifests.parse.K8sObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The cert-manager objects behind the gateway's HTTPS server, in istio-system (where the gateway
 * pods read the Secret: istio.io/latest/docs/ops/integrations/certmanager).
 *
 * <ul>
 *   <li>selfSigned: a CA of the cluster's own (a self-signed Issuer signs the CA Certificate, a CA
 *       Issuer signs the gateway's), so that clients trust one CA file that outlives renewals;
 *       cert-manager puts that CA in the serving Secret's {@code ca.crt}.
 *   <li>acme: an ACME Issuer with the HTTP-01 solver served by Istio's own Ingress support (class
 *       istio) or the given DNS-01 solver.
 *   <li>existingSecret: nothing; the user keeps the Secret.
 * </ul>
 */
public final class GatewayCertificates {
  static final String API = "cert-manager.io/v1";
  static final String ACME_ACCOUNT_SECRET = "kfboot-gateway-acme-account";

  private GatewayCertificates() {}

  public static List<K8sObject> objects(GatewayConfig gateway) {
    List<K8sObject> out = new ArrayList<>();
    switch (gateway.tls().mode()) {
      case SELF_SIGNED -> {
        out.add(issuer(GatewayPatch.SELF_SIGNED_ISSUER, K8sObject.map("selfSigned", Map.of())));
        out.add(
            certificate(
                GatewayPatch.CA_CERTIFICATE,
                K8sObject.map(
                    "isCA",
                    true,
                    "commonName",
                    "kfboot gateway CA",
                    "secretName",
                    GatewayPatch.CA_CERTIFICATE,
                    "duration",
                    "87600h",
                    "privateKey",
                    K8sObject.map("algorithm", "ECDSA", "size", 256),
                    "issuerRef",
                    issuerRef(GatewayPatch.SELF_SIGNED_ISSUER))));
        out.add(
            issuer(
                GatewayPatch.CA_ISSUER,
                K8sObject.map("ca", K8sObject.map("secretName", GatewayPatch.CA_CERTIFICATE))));
        out.add(serving(gateway, GatewayPatch.CA_ISSUER));
      }
      case ACME -> {
        Acme acme = gateway.tls().acme();
        Object solver =
            acme.http01()
                // Istio serves Ingresses of class istio through its ingress gateway
                ? K8sObject.map("http01", K8sObject.map("ingress", K8sObject.map("class", "istio")))
                : K8sObject.map("dns01", acme.dns01());
        out.add(
            issuer(
                GatewayPatch.ACME_ISSUER,
                K8sObject.map(
                    "acme",
                    K8sObject.map(
                        "email",
                        acme.email(),
                        "server",
                        acme.server(),
                        "privateKeySecretRef",
                        K8sObject.map("name", ACME_ACCOUNT_SECRET),
                        "solvers",
                        List.of(solver)))));
        out.add(serving(gateway, GatewayPatch.ACME_ISSUER));
      }
      case EXISTING_SECRET -> {
        // the user's Secret: nothing to make
      }
    }
    return out;
  }

  public static String describe(GatewayConfig gateway) {
    return switch (gateway.tls().mode()) {
      case SELF_SIGNED ->
          "the gateway's certificate for " + gateway.host() + " from a CA of the cluster's own";
      case ACME ->
          "the gateway's certificate for "
              + gateway.host()
              + " from "
              + gateway.tls().acme().server()
              + (gateway.tls().acme().http01() ? " (HTTP-01)" : " (DNS-01)");
      case EXISTING_SECRET ->
          "the gateway's certificate from Secret istio-system/" + gateway.tls().secretName();
    };
  }

  private static K8sObject serving(GatewayConfig gateway, String issuer) {
    String host = gateway.host();
    Map<String, Object> spec =
        K8sObject.map(
            "secretName",
            GatewayPatch.TLS_SECRET,
            gateway.hostIsAddress() ? "ipAddresses" : "dnsNames",
            List.of(host),
            "duration",
            "2160h",
            "renewBefore",
            "360h",
            "privateKey",
            K8sObject.map("rotationPolicy", "Always"),
            "issuerRef",
            issuerRef(issuer));
    // X.509 limits the common name to 64 characters; browsers read the SANs only anyway
    if (host.length() <= 64) {
      spec.put("commonName", host);
    }
    return certificate(GatewayPatch.CERTIFICATE, spec);
  }

  private static Map<String, Object> issuerRef(String name) {
    return K8sObject.map("name", name, "kind", "Issuer", "group", "cert-manager.io");
  }

  private static K8sObject issuer(String name, Map<String, Object> spec) {
    return K8sObject.of(
        K8sObject.map(
            "apiVersion", API, "kind", "Issuer", "metadata", metadata(name), "spec", spec));
  }

  private static K8sObject certificate(String name, Map<String, Object> spec) {
    return K8sObject.of(
        K8sObject.map(
            "apiVersion", API, "kind", "Certificate", "metadata", metadata(name), "spec", spec));
  }

  private static Map<String, Object> metadata(String name) {
    return K8sObject.map(
        "name",
        name,
        "namespace",
        GatewayPatch.NAMESPACE,
        "labels",
        K8sObject.map("app.kubernetes.io/managed-by", "kfboot"));
  }
}
