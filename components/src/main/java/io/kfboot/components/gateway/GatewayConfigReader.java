package io.kfboot.components.gateway;

import io.kfboot.components.gateway.GatewayConfig.Acme;
import io.kfboot.components.gateway.GatewayConfig.Expose;
import io.kfboot.components.gateway.GatewayConfig.Tls;
import io.kfboot.components.gateway.GatewayConfig.TlsMode;
import io.kfboot.core.YamlReader;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads {@code gateway:} into a {@link GatewayConfig}, every problem with its line. */
public final class GatewayConfigReader {
  private static final Pattern HOST =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern SECRET_NAME =
      Pattern.compile("[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

  /**
   * Keys of cert-manager's DNS-01 providers that take a secret inline; each has a {@code
   * ...SecretRef} to a Kubernetes Secret instead (cert-manager.io/docs/configuration/acme/dns01).
   */
  private static final Set<String> INLINE_SECRETS =
      Set.of("apiKey", "apiToken", "secretAccessKey", "clientSecret", "password", "token", "key");

  private final YamlReader yaml;

  public GatewayConfigReader(YamlReader yaml) {
    this.yaml = yaml;
  }

  public GatewayConfig read(Node node) {
    if (node == null) {
      return GatewayConfig.DEFAULTS;
    }
    if (!(node instanceof MappingNode mn)) {
      yaml.problem(node, "gateway must be a mapping with expose, host and tls");
      return GatewayConfig.DEFAULTS;
    }
    Map<String, Node> m =
        yaml.keys(mn, "gateway", Set.of("expose", "host", "nodePorts", "tls", "allowInsecureHttp"));
    String exposeKey = yaml.string(m, mn, "expose", Expose.PORT_FORWARD.key(), false);
    Expose expose = Expose.fromKey(exposeKey).orElse(null);
    if (expose == null) {
      yaml.problem(
          m.get("expose"),
          "gateway.expose '"
              + exposeKey
              + "' is not one of "
              + String.join(", ", Arrays.stream(Expose.values()).map(Expose::key).toList()));
      expose = Expose.PORT_FORWARD;
    }
    String host = yaml.string(m, mn, "host", null, false);
    if (host != null) {
      host = host.toLowerCase(Locale.ROOT);
      if (!(HOST.matcher(host).matches() || IPV4.matcher(host).matches())) {
        yaml.problem(
            m.get("host"),
            "gateway.host '"
                + host
                + "' is no DNS name or IPv4 address (give the name browsers use, without"
                + " scheme or port, e.g. kubeflow.lab.example)");
        host = null;
      }
    }
    int httpPort = GatewayConfig.DEFAULT_HTTP_NODE_PORT;
    int httpsPort = GatewayConfig.DEFAULT_HTTPS_NODE_PORT;
    if (m.get("nodePorts") instanceof MappingNode np) {
      Map<String, Node> pm = yaml.keys(np, "gateway.nodePorts", Set.of("http", "https"));
      // k3s' default --service-node-port-range
      httpPort = yaml.integer(pm, np, "http", httpPort, 30000, 32767);
      httpsPort = yaml.integer(pm, np, "https", httpsPort, 30000, 32767);
      if (httpPort == httpsPort) {
        yaml.problem(np, "gateway.nodePorts: http and https must differ");
      }
      if (expose != Expose.NODE_PORT) {
        yaml.problem(np, "gateway.nodePorts is only for gateway.expose nodePort");
      }
    } else if (m.get("nodePorts") != null) {
      yaml.problem(m.get("nodePorts"), "gateway.nodePorts must be a mapping {http: N, https: N}");
    }
    Tls tls = tls(m.get("tls"));
    boolean insecure = yaml.bool(m, mn, "allowInsecureHttp", false);
    GatewayConfig config = new GatewayConfig(expose, host, httpPort, httpsPort, tls, insecure);
    config.problem().ifPresent(p -> yaml.problem(mn, p));
    return config;
  }

  private Tls tls(Node node) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof MappingNode mn)) {
      yaml.problem(node, "gateway.tls must be a mapping, e.g. {mode: selfSigned}");
      return null;
    }
    Map<String, Node> m = yaml.keys(mn, "gateway.tls", Set.of("mode", "secretName", "acme"));
    String modeKey = yaml.string(m, mn, "mode", null, true);
    if (modeKey == null) {
      return null;
    }
    TlsMode mode = TlsMode.fromKey(modeKey).orElse(null);
    if (mode == null) {
      yaml.problem(
          m.get("mode"),
          "gateway.tls.mode '"
              + modeKey
              + "' is not one of "
              + String.join(", ", Arrays.stream(TlsMode.values()).map(TlsMode::key).toList()));
      return null;
    }
    String secretName = yaml.string(m, mn, "secretName", null, mode == TlsMode.EXISTING_SECRET);
    if (secretName != null && mode != TlsMode.EXISTING_SECRET) {
      yaml.problem(m.get("secretName"), "gateway.tls.secretName is only for mode existingSecret");
    } else if (secretName != null && !SECRET_NAME.matcher(secretName).matches()) {
      yaml.problem(m.get("secretName"), "gateway.tls.secretName '" + secretName + "' is no name");
    }
    Acme acme = null;
    if (mode == TlsMode.ACME) {
      acme = acme(m.get("acme"), mn);
    } else if (m.get("acme") != null) {
      yaml.problem(m.get("acme"), "gateway.tls.acme is only for mode acme");
    }
    return new Tls(mode, secretName, acme);
  }

  private Acme acme(Node node, Node parent) {
    if (!(node instanceof MappingNode mn)) {
      yaml.problem(
          node == null ? parent : node,
          "gateway.tls.acme must be a mapping with at least email (the ACME account's contact)");
      return new Acme(null, Acme.LETS_ENCRYPT, null);
    }
    Map<String, Node> m = yaml.keys(mn, "gateway.tls.acme", Set.of("email", "server", "dns01"));
    String email = yaml.string(m, mn, "email", null, true);
    if (email != null && !EMAIL.matcher(email).matches()) {
      yaml.problem(m.get("email"), "gateway.tls.acme.email '" + email + "' is no e-mail address");
    }
    String server = yaml.string(m, mn, "server", Acme.LETS_ENCRYPT, false);
    URI u = URI.create("x:/");
    try {
      u = URI.create(server);
    } catch (IllegalArgumentException e) {
      // reported below
    }
    if (!"https".equals(u.getScheme()) || u.getHost() == null) {
      yaml.problem(m.get("server"), "gateway.tls.acme.server '" + server + "' is no https URL");
    }
    Map<String, Object> dns01 = null;
    Node d = m.get("dns01");
    if (d instanceof MappingNode dm) {
      @SuppressWarnings("unchecked")
      Map<String, Object> plain = (Map<String, Object>) plain(dm, "gateway.tls.acme.dns01");
      dns01 = plain;
    } else if (d != null) {
      yaml.problem(
          d, "gateway.tls.acme.dns01 must be cert-manager's dns01 solver, e.g. {cloudflare: ...}");
    }
    return new Acme(email, server, dns01);
  }

  /** The node as plain values; an inline secret (rather than a SecretRef) is a problem. */
  private Object plain(Node node, String where) {
    if (node instanceof MappingNode mn) {
      Map<String, Object> out = new LinkedHashMap<>();
      // inside a reference ({name: SECRET, key: KEY}) a key is the Secret's key, no secret
      boolean reference = where.endsWith("Ref");
      for (NodeTuple t : mn.getValue()) {
        String key = YamlReader.scalar(t.getKeyNode());
        if (!reference && INLINE_SECRETS.contains(key) && t.getValueNode() instanceof ScalarNode) {
          yaml.problem(
              t.getValueNode(),
              where
                  + "."
                  + key
                  + " is a secret and may not be written inline; put it in a Secret in"
                  + " istio-system and give cert-manager's "
                  + key
                  + "SecretRef: {name: SECRET, key: KEY}");
          continue;
        }
        out.put(key, plain(t.getValueNode(), where + "." + key));
      }
      return out;
    }
    if (node instanceof SequenceNode seq) {
      List<Object> out = new ArrayList<>();
      for (Node n : seq.getValue()) {
        out.add(plain(n, where));
      }
      return out;
    }
    return YamlReader.scalar(node);
  }
}
