package io.kfboot.components.gateway;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The inventory's (or the stack's) {@code gateway:}: how browsers reach Kubeflow's Istio ingress
 * gateway, at which name, and whether over HTTPS. See docs/gateway.md.
 *
 * @param expose how the gateway Service is reached
 * @param host the name (or IP address) browsers use; null where the gateway has no public name
 * @param httpNodePort with {@link Expose#NODE_PORT}, the node port of HTTP (port 80)
 * @param httpsNodePort with {@link Expose#NODE_PORT}, the node port of HTTPS (port 443)
 * @param tls HTTPS on the gateway; null for plain HTTP
 * @param allowInsecureHttp whether the web apps' cookies may be sent over plain HTTP to a
 *     non-loopback address (upstream refuses them: kubeflow/kubeflow#5803)
 */
public record GatewayConfig(
    Expose expose,
    String host,
    int httpNodePort,
    int httpsNodePort,
    Tls tls,
    boolean allowInsecureHttp) {

  public static final int DEFAULT_HTTP_NODE_PORT = 30080;
  public static final int DEFAULT_HTTPS_NODE_PORT = 30443;

  /** Upstream's gateway: a ClusterIP Service, reached through a port-forward, plain HTTP. */
  public static final GatewayConfig DEFAULTS =
      new GatewayConfig(
          Expose.PORT_FORWARD, null, DEFAULT_HTTP_NODE_PORT, DEFAULT_HTTPS_NODE_PORT, null, false);

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  /** How the gateway Service is reached, and the Service type that gives it. */
  public enum Expose {
    PORT_FORWARD("port-forward", "ClusterIP"),
    NODE_PORT("nodePort", "NodePort"),
    LOAD_BALANCER("loadBalancer", "LoadBalancer");

    private final String key;
    private final String serviceType;

    Expose(String key, String serviceType) {
      this.key = key;
      this.serviceType = serviceType;
    }

    /** The spelling in the inventory. */
    public String key() {
      return key;
    }

    public String serviceType() {
      return serviceType;
    }

    public static Optional<Expose> fromKey(String key) {
      for (Expose e : values()) {
        if (e.key.equals(key)) {
          return Optional.of(e);
        }
      }
      return Optional.empty();
    }

    /** The exposure a Service type gives ({@code --gateway-service-type}). */
    public static Optional<Expose> fromServiceType(String type) {
      for (Expose e : values()) {
        if (e.serviceType.equals(type)) {
          return Optional.of(e);
        }
      }
      return Optional.empty();
    }
  }

  /** Where the gateway's certificate comes from. */
  public enum TlsMode {
    /** A CA kfboot has cert-manager make in the cluster; its certificate is exported to clients. */
    SELF_SIGNED("selfSigned"),
    /** An ACME CA (Let's Encrypt by default) through cert-manager. */
    ACME("acme"),
    /** A kubernetes.io/tls Secret in istio-system that the user keeps. */
    EXISTING_SECRET("existingSecret");

    private final String key;

    TlsMode(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public static Optional<TlsMode> fromKey(String key) {
      for (TlsMode m : values()) {
        if (m.key.equals(key)) {
          return Optional.of(m);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * @param mode where the certificate comes from
   * @param secretName with {@link TlsMode#EXISTING_SECRET}, the Secret in istio-system
   * @param acme with {@link TlsMode#ACME}, the ACME account and challenge
   */
  public record Tls(TlsMode mode, String secretName, Acme acme) {}

  /**
   * @param email the ACME account's contact
   * @param server the ACME directory URL
   * @param dns01 cert-manager's {@code dns01} solver block, or null for an HTTP-01 challenge
   */
  public record Acme(String email, String server, Map<String, Object> dns01) {
    public static final String LETS_ENCRYPT = "https://acme-v02.api.letsencrypt.org/directory";

    public boolean http01() {
      return dns01 == null;
    }
  }

  public boolean https() {
    return tls != null;
  }

  /** Whether the gateway is reached at an address of its own rather than a port-forward. */
  public boolean exposed() {
    return expose != Expose.PORT_FORWARD;
  }

  /** Whether {@link #host} is an IPv4 address (a certificate names it as an IP SAN). */
  public boolean hostIsAddress() {
    return host != null && (IPV4.matcher(host).matches() || host.contains(":"));
  }

  /**
   * The base URL browsers use, where the gateway has a public name: {@code https://HOST} (with the
   * HTTPS node port for a NodePort gateway), or {@code http://HOST[:port]} without TLS.
   */
  public Optional<URI> publicBase() {
    if (host == null || !exposed()) {
      return Optional.empty();
    }
    String scheme = https() ? "https" : "http";
    String port = expose == Expose.NODE_PORT ? ":" + (https() ? httpsNodePort : httpNodePort) : "";
    String name = host.contains(":") ? "[" + host + "]" : host;
    return Optional.of(URI.create(scheme + "://" + name.toLowerCase(Locale.ROOT) + port));
  }

  /** The same gateway reached another way (the flag {@code --gateway-service-type}). */
  public GatewayConfig withExpose(Expose replaced) {
    return new GatewayConfig(replaced, host, httpNodePort, httpsNodePort, tls, allowInsecureHttp);
  }

  /** The same gateway with the web apps' Secure cookies off ({@code --allow-insecure-http}). */
  public GatewayConfig withAllowInsecureHttp(boolean replaced) {
    return new GatewayConfig(expose, host, httpNodePort, httpsNodePort, tls, replaced);
  }

  /**
   * What is wrong with this combination, or empty. Plain HTTP to an address of the gateway's own
   * breaks the web apps (their CSRF cookie is Secure); TLS behind a port-forward has no name to be
   * issued for; allowInsecureHttp with TLS would mix secure and insecure cookies.
   */
  public Optional<String> problem() {
    if (exposed() && !https() && !allowInsecureHttp) {
      return Optional.of(
          "gateway.expose "
              + expose.key()
              + " serves Kubeflow over plain HTTP at an address browsers treat as insecure:"
              + " the Jupyter, Volumes and Tensorboards web apps set Secure cookies, and creating"
              + " a notebook fails with '[403] Could not find CSRF cookie XSRF-TOKEN'"
              + " (kubeflow/kubeflow#5803). Add gateway.tls (e.g. tls: {mode: selfSigned} with"
              + " gateway.host), or set gateway.allowInsecureHttp: true to turn the secure"
              + " cookies off");
    }
    if (https() && allowInsecureHttp) {
      return Optional.of(
          "gateway.allowInsecureHttp and gateway.tls exclude each other: with TLS the cookies stay"
              + " secure; drop allowInsecureHttp");
    }
    if (https() && !exposed()) {
      return Optional.of(
          "gateway.tls needs the gateway exposed at an address of its own: set gateway.expose to"
              + " nodePort or loadBalancer (a port-forward reaches it at localhost)");
    }
    if (https() && host == null) {
      return Optional.of(
          "gateway.tls needs gateway.host, the name (or address) the certificate is issued for"
              + " and browsers use");
    }
    if (tls != null && tls.mode() == TlsMode.ACME) {
      if (hostIsAddress()) {
        return Optional.of(
            "gateway.tls.mode acme needs a DNS name as gateway.host, not the address "
                + host
                + "; use mode selfSigned for an address");
      }
      if (tls.acme().http01() && expose != Expose.LOAD_BALANCER) {
        return Optional.of(
            "gateway.tls.acme with the HTTP-01 challenge needs port 80 reachable:"
                + " gateway.expose loadBalancer (a NodePort listens on "
                + httpNodePort
                + "), or give acme.dns01");
      }
    }
    return Optional.empty();
  }
}
