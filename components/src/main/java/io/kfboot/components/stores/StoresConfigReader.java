package io.kfboot.components.stores;

import io.kfboot.components.auth.SecretRef;
import io.kfboot.components.stores.StoresConfig.ClusterSecret;
import io.kfboot.components.stores.StoresConfig.Database;
import io.kfboot.components.stores.StoresConfig.ObjectStore;
import io.kfboot.core.YamlReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * Reads {@code pipelines:} and {@code katib:} into a {@link StoresConfig}, every problem with its
 * line; passwords and keys by reference only ({@code {env: VARIABLE}} or {@code {file: PATH}}).
 */
public final class StoresConfigReader {
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?");
  // MySQL's identifiers as Pipelines and Katib create them: no quoting needed
  private static final Pattern DATABASE = Pattern.compile("[A-Za-z0-9_]{1,64}");
  // S3 bucket naming rules (docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  private final YamlReader yaml;
  private final Path base;

  public StoresConfigReader(YamlReader yaml, Path base) {
    this.yaml = yaml;
    this.base = base;
  }

  public StoresConfig read(Node pipelines, Node katib) {
    Database pipelinesDb = null;
    ObjectStore store = null;
    Database katibDb = null;
    if (pipelines != null) {
      Map<String, Node> m = section(pipelines, "pipelines", Set.of("database", "objectStore"));
      pipelinesDb =
          database(m.get("database"), "pipelines.database", StoresConfig.PIPELINES_DATABASES);
      store = objectStore(m.get("objectStore"), "pipelines.objectStore");
    }
    if (katib != null) {
      Map<String, Node> m = section(katib, "katib", Set.of("database"));
      katibDb = database(m.get("database"), "katib.database", StoresConfig.KATIB_DATABASES);
    }
    return new StoresConfig(pipelinesDb, store, katibDb);
  }

  private Map<String, Node> section(Node node, String where, Set<String> keys) {
    if (!(node instanceof MappingNode mn)) {
      yaml.problem(node, where + " must be a mapping with " + String.join(" and ", keys));
      return Map.of();
    }
    return yaml.keys(mn, where, keys);
  }

  /** {@code {external: {...}}}, or {@code inCluster: true}; null for the in-cluster store. */
  private MappingNode external(Node node, String where) {
    if (node == null) {
      return null;
    }
    Map<String, Node> m = section(node, where, Set.of("external", "inCluster"));
    if (m.get("external") != null && m.get("inCluster") != null) {
      yaml.problem(node, where + ": give external or inCluster: true, not both");
      return null;
    }
    if (m.get("external") == null) {
      return null;
    }
    if (!(m.get("external") instanceof MappingNode ext)) {
      yaml.problem(m.get("external"), where + ".external must be a mapping");
      return null;
    }
    return ext;
  }

  private static final Pattern SECRET_NAME =
      Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
  private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");

  private Database database(Node node, String where, Map<String, String> roles) {
    MappingNode ext = external(node, where);
    if (ext == null) {
      return null;
    }
    String at = where + ".external";
    Map<String, Node> m =
        yaml.keys(
            ext,
            at,
            Set.of(
                "host", "port", "tls", "caFile", "user", "passwordRef", "secretRef", "databases"));
    String host = yaml.string(m, ext, "host", null, true);
    if (host != null && !HOST.matcher(host).matches()) {
      yaml.problem(m.get("host"), at + ".host '" + host + "' is no host name or address");
    }
    int port = yaml.integer(m, ext, "port", 3306, 1, 65535);
    boolean tls = yaml.bool(m, ext, "tls", true);
    Path caFile = null;
    String ca = yaml.string(m, ext, "caFile", null, false);
    if (ca != null && !tls) {
      yaml.problem(m.get("caFile"), at + ".caFile is only for tls: true");
    } else if (ca != null) {
      caFile = base.resolve(ca);
      if (!Files.isReadable(caFile)) {
        yaml.problem(m.get("caFile"), at + ".caFile " + caFile + " cannot be read");
      }
    }
    String user = yaml.string(m, ext, "user", null, true);
    SecretRef password = null;
    ClusterSecret secret = null;
    if (m.get("secretRef") != null && m.get("passwordRef") != null) {
      yaml.problem(m.get("secretRef"), at + ": give passwordRef or secretRef, not both");
    } else if (m.get("secretRef") != null) {
      secret = clusterSecret(m.get("secretRef"), at + ".secretRef");
    } else {
      password = SecretRef.require(yaml, m.get("passwordRef"), ext, at + ".passwordRef", base);
    }
    Map<String, String> databases = new LinkedHashMap<>(roles);
    if (m.get("databases") instanceof MappingNode dm) {
      for (NodeTuple t : dm.getValue()) {
        String role = YamlReader.scalar(t.getKeyNode());
        String name = YamlReader.scalar(t.getValueNode());
        if (!roles.containsKey(role)) {
          yaml.problem(
              t.getKeyNode(),
              at + ".databases: '" + role + "' is none of " + String.join(", ", roles.keySet()));
        } else if (name == null || !DATABASE.matcher(name).matches()) {
          yaml.problem(
              t.getValueNode(),
              at + ".databases." + role + " must be letters, digits and '_' (up to 64)");
        } else {
          databases.put(role, name);
        }
      }
    } else if (m.get("databases") != null) {
      yaml.problem(m.get("databases"), at + ".databases must map roles to database names");
    }
    if (databases.values().stream().distinct().count() < databases.size()) {
      yaml.problem(ext, at + ".databases: each role needs a database of its own");
    }
    if (password == null && secret == null) {
      // a problem is reported already; a placeholder keeps the record whole
      password = SecretRef.ofEnv("INVALID");
    }
    return new Database(at, host, port, tls, caFile, user, password, secret, databases);
  }

  /** {@code {name: SECRET, key: KEY}}: a Secret in kubeflow; key defaults to "password". */
  private ClusterSecret clusterSecret(Node node, String at) {
    if (!(node instanceof MappingNode mn)) {
      yaml.problem(node, at + " must be {name: SECRET, key: KEY}, a Secret in namespace kubeflow");
      return null;
    }
    Map<String, Node> m = yaml.keys(mn, at, Set.of("name", "key"));
    String name = yaml.string(m, mn, "name", null, true);
    String key = yaml.string(m, mn, "key", "password", false);
    if (name != null && !SECRET_NAME.matcher(name).matches()) {
      yaml.problem(m.get("name"), at + ".name '" + name + "' is no Kubernetes object name");
    }
    if (key != null && !SECRET_KEY.matcher(key).matches()) {
      yaml.problem(m.get("key"), at + ".key '" + key + "' is no Secret key");
    }
    return name == null ? null : new ClusterSecret(name, key);
  }

  private ObjectStore objectStore(Node node, String where) {
    MappingNode ext = external(node, where);
    if (ext == null) {
      return null;
    }
    String at = where + ".external";
    Map<String, Node> m =
        yaml.keys(
            ext,
            at,
            Set.of(
                "endpoint",
                "region",
                "bucket",
                "pathStyle",
                "tls",
                "accessKeyRef",
                "secretKeyRef"));
    String endpoint = yaml.string(m, ext, "endpoint", null, true);
    URI uri = null;
    if (endpoint != null) {
      try {
        uri = new URI(endpoint);
        boolean web = "https".equals(uri.getScheme()) || "http".equals(uri.getScheme());
        if (!web
            || uri.getHost() == null
            || (uri.getPath() != null && uri.getPath().length() > 1)) {
          yaml.problem(
              m.get("endpoint"),
              at
                  + ".endpoint '"
                  + endpoint
                  + "' must be the S3 API's http(s) URL without a path, e.g."
                  + " https://s3.eu-central-1.amazonaws.com");
          uri = null;
        }
      } catch (URISyntaxException e) {
        yaml.problem(m.get("endpoint"), at + ".endpoint '" + endpoint + "' is no URL");
      }
    }
    String region = yaml.string(m, ext, "region", "us-east-1", false);
    String bucket = yaml.string(m, ext, "bucket", null, true);
    if (bucket != null && !BUCKET.matcher(bucket).matches()) {
      yaml.problem(
          m.get("bucket"),
          at
              + ".bucket '"
              + bucket
              + "' is no S3 bucket name (3 to 63 lower-case letters, digits, '.' and '-')");
    }
    boolean pathStyle = yaml.bool(m, ext, "pathStyle", false);
    // TLS is the endpoint's scheme; a tls key, where given, must say the same
    if (m.get("tls") != null && uri != null) {
      boolean tls = yaml.bool(m, ext, "tls", true);
      if (tls != "https".equals(uri.getScheme())) {
        yaml.problem(
            m.get("tls"),
            at
                + ".tls: "
                + tls
                + " contradicts the endpoint "
                + endpoint
                + "; TLS follows the endpoint's scheme (https or http), so leave tls out or make"
                + " them agree");
      }
    }
    SecretRef access =
        SecretRef.require(yaml, m.get("accessKeyRef"), ext, at + ".accessKeyRef", base);
    SecretRef secret =
        SecretRef.require(yaml, m.get("secretKeyRef"), ext, at + ".secretKeyRef", base);
    return uri == null ? null : new ObjectStore(at, uri, region, bucket, pathStyle, access, secret);
  }
}
