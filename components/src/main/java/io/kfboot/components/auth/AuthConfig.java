package io.kfboot.components.auth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The inventory's (or the stack's) {@code auth:}: who may log in besides the admin, and through
 * which identity providers. See docs/identity.md.
 *
 * @param issuer the Dex issuer URL given explicitly, or null to derive it from the gateway's
 *     address (or, without one, keep the in-cluster default)
 * @param users static users beside the admin
 * @param connectors identity providers Dex delegates to
 * @param groups named lists of e-mails, for profile contributors given as a group
 */
public record AuthConfig(
    String issuer,
    List<StaticUser> users,
    List<Connector> connectors,
    Map<String, List<String>> groups) {
  /** Upstream's issuer: reachable only inside the cluster (and through a port-forward). */
  public static final String IN_CLUSTER_ISSUER = "http://dex.auth.svc.cluster.local:5556/dex";

  /** Where Dex's signing keys are inside the cluster, whatever its public issuer is. */
  public static final String IN_CLUSTER_JWKS = "http://dex.auth.svc.cluster.local:5556/dex/keys";

  public static final AuthConfig DEFAULTS = new AuthConfig(null, List.of(), List.of());

  public AuthConfig {
    users = List.copyOf(users);
    connectors = List.copyOf(connectors);
    groups = Collections.unmodifiableMap(new TreeMap<>(groups));
  }

  public AuthConfig(String issuer, List<StaticUser> users, List<Connector> connectors) {
    this(issuer, users, connectors, Map.of());
  }

  /**
   * The issuer every one of Dex, oauth2-proxy and the gateway's RequestAuthentication is given:
   * this config's, else {@code https://HOST/dex} (or http) for the gateway's public address, else
   * upstream's in-cluster one.
   *
   * @param publicBase the gateway's public base URL ("https://kubeflow.lab"), if it has one
   */
  public String issuerFor(Optional<URI> publicBase) {
    if (issuer != null) {
      return issuer;
    }
    return publicBase
        .map(b -> b.getScheme() + "://" + b.getRawAuthority() + "/dex")
        .orElse(IN_CLUSTER_ISSUER);
  }

  /** The LDAP connectors that search groups, whose groups profile contributors may name. */
  public List<Connector> directoryGroups() {
    return connectors.stream()
        .filter(c -> c.type().equals("ldap") && !c.section("groupSearch").isEmpty())
        .toList();
  }

  /** The redirect URI each connector is registered with at its provider: issuer + /callback. */
  public static String redirectUri(String issuer) {
    return issuer + "/callback";
  }

  /**
   * What is wrong with {@code issuer} as a Dex issuer behind the gateway, or empty: an http(s) URL
   * whose path is /dex, where the gateway routes to Dex (Dex serves under its issuer's path).
   */
  public static Optional<String> issuerProblem(String issuer) {
    try {
      URI u = new URI(issuer);
      boolean web = "https".equals(u.getScheme()) || "http".equals(u.getScheme());
      if (!web || u.getHost() == null) {
        return Optional.of("'" + issuer + "' is no http(s) URL");
      }
      if (!"/dex".equals(u.getPath())) {
        return Optional.of(
            "'"
                + issuer
                + "' must end in /dex, where the gateway routes to Dex (e.g. "
                + u.getScheme()
                + "://"
                + u.getRawAuthority()
                + "/dex)");
      }
      return Optional.empty();
    } catch (URISyntaxException e) {
      return Optional.of("'" + issuer + "' is no URL");
    }
  }

  public Optional<Connector> connector(String id) {
    return connectors.stream().filter(c -> c.id().equals(id)).findFirst();
  }
}
