package io.kfboot.components.auth;

import io.kfboot.core.YamlReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
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
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads {@code auth:} into an {@link AuthConfig}, every problem with its line: the static users,
 * and each connector's config checked against the fields Dex requires of its type
 * (https://dexidp.io/docs/connectors/), with every secret field given by reference ({@code {env:
 * VAR}} or {@code {file: PATH}}) and never inline.
 */
public final class AuthConfigReader {
  /** The connector types kfboot checks and configures; Dex has more, kfboot does not know them. */
  public static final Set<String> TYPES = Set.of("ldap", "oidc", "github", "microsoft");

  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
  private static final Pattern CONNECTOR_ID = Pattern.compile("[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?");

  /** Fields that hold a secret: given inline, they would land in a ConfigMap. */
  private static final Map<String, Set<String>> SECRET_FIELDS =
      Map.of(
          "ldap", Set.of("bindPW"),
          "oidc", Set.of("clientSecret"),
          "github", Set.of("clientSecret"),
          "microsoft", Set.of("clientSecret"));

  private final YamlReader yaml;
  private final Path base;

  /**
   * @param yaml the reader of the whole file, whose problems these join
   * @param base the folder relative file paths resolve against
   */
  public AuthConfigReader(YamlReader yaml, Path base) {
    this.yaml = yaml;
    this.base = base;
  }

  public AuthConfig read(Node node) {
    if (node == null) {
      return AuthConfig.DEFAULTS;
    }
    if (!(node instanceof MappingNode mn)) {
      yaml.problem(node, "auth must be a mapping with issuer, users and connectors");
      return AuthConfig.DEFAULTS;
    }
    Map<String, Node> m = yaml.keys(mn, "auth", Set.of("issuer", "users", "connectors", "groups"));
    String issuer = yaml.string(m, mn, "issuer", null, false);
    if (issuer != null) {
      checkIssuer(m.get("issuer"), issuer);
    }
    List<StaticUser> users = new ArrayList<>();
    Set<String> emails = new HashSet<>();
    for (MappingNode u : yaml.mappings(m.get("users"), mn, "auth.users", false)) {
      Map<String, Node> um = yaml.keys(u, "auth.users", Set.of("email", "hash"));
      String email = yaml.string(um, u, "email", null, true);
      String hash = yaml.string(um, u, "hash", null, false);
      if (email == null) {
        continue;
      }
      if (!EMAIL.matcher(email).matches()) {
        yaml.problem(um.get("email"), "auth.users: '" + email + "' is no e-mail address");
      } else if (!email.equals(email.toLowerCase(Locale.ROOT))) {
        // Profiles, RoleBindings and AuthorizationPolicies match the e-mail exactly; Dex's
        // static users log in with what they type, so one spelling avoids silent denials.
        yaml.problem(
            um.get("email"),
            "auth.users: '" + email + "' has upper-case letters; write it in lower case");
      } else if (!emails.add(email)) {
        yaml.problem(um.get("email"), "auth.users: " + email + " is listed twice");
      }
      if (hash != null && !BCRYPT.matcher(hash).matches()) {
        yaml.problem(
            um.get("hash"),
            "auth.users["
                + email
                + "].hash is no bcrypt hash ($2y$..., 60 characters); make one"
                + " with: htpasswd -nbBC 12 '' PASSWORD | tr -d ':\\n', or leave hash out and"
                + " kfboot generates a password");
      }
      users.add(new StaticUser(email, hash));
    }
    List<Connector> connectors = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (MappingNode c : yaml.mappings(m.get("connectors"), mn, "auth.connectors", false)) {
      Connector connector = connector(c);
      if (connector == null) {
        continue;
      }
      if (!ids.add(connector.id())) {
        yaml.problem(c, "auth.connectors: id '" + connector.id() + "' is used twice");
      }
      connectors.add(connector);
    }
    return new AuthConfig(issuer, users, connectors, groups(m.get("groups")));
  }

  /** {@code groups: {NAME: [e-mail, ...]}}: who a profile contributor given as a group is. */
  private Map<String, List<String>> groups(Node node) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (node == null) {
      return out;
    }
    if (!(node instanceof MappingNode mn)) {
      yaml.problem(node, "auth.groups must map each group's name to a list of e-mails");
      return out;
    }
    for (NodeTuple t : mn.getValue()) {
      String name = YamlReader.scalar(t.getKeyNode());
      List<String> members = yaml.strings(t.getValueNode(), "auth.groups." + name);
      for (String e : members) {
        if (!EMAIL.matcher(e).matches() || !e.equals(e.toLowerCase(Locale.ROOT))) {
          yaml.problem(
              t.getValueNode(),
              "auth.groups." + name + ": '" + e + "' is no lower-case e-mail address");
        }
      }
      out.put(name, members);
    }
    return out;
  }

  private void checkIssuer(Node at, String issuer) {
    AuthConfig.issuerProblem(issuer).ifPresent(p -> yaml.problem(at, "auth.issuer " + p));
  }

  private Connector connector(MappingNode c) {
    Map<String, Node> m =
        yaml.keys(c, "auth.connectors", Set.of("type", "id", "name", "config", "rootCAFile"));
    String type = yaml.string(m, c, "type", null, true);
    if (type == null) {
      return null;
    }
    if (!TYPES.contains(type)) {
      yaml.problem(
          m.get("type"),
          "auth.connectors: type '"
              + type
              + "' is not one kfboot configures; use one of "
              + String.join(", ", TYPES.stream().sorted().toList()));
      return null;
    }
    String id = yaml.string(m, c, "id", type, false);
    if (!CONNECTOR_ID.matcher(id).matches()) {
      yaml.problem(
          m.get("id"),
          "auth.connectors: id '"
              + id
              + "' must be lower-case letters, digits and '-' (e.g. corp)");
    }
    String where = "auth.connectors[" + id + "]";
    String name = yaml.string(m, c, "name", defaultName(type), false);
    Node configNode = m.get("config");
    if (!(configNode instanceof MappingNode config)) {
      yaml.problem(configNode == null ? c : configNode, where + ".config must be a mapping");
      return null;
    }
    Map<String, SecretRef> secrets = new LinkedHashMap<>();
    Map<String, Node> lines = new LinkedHashMap<>();
    @SuppressWarnings("unchecked")
    Map<String, Object> values = (Map<String, Object>) plain(config, "", secrets, lines, where);
    Path rootCa = null;
    String rootCaFile = yaml.string(m, c, "rootCAFile", null, false);
    if (rootCaFile != null && type.equals("microsoft")) {
      // Dex's microsoft connector talks to login.microsoftonline.com only, with the system's CAs
      yaml.problem(
          m.get("rootCAFile"),
          where + ".rootCAFile: Dex's microsoft connector takes no CA; drop it");
    } else if (rootCaFile != null) {
      rootCa = base.resolve(rootCaFile);
      if (!Files.isReadable(rootCa)) {
        yaml.problem(m.get("rootCAFile"), where + ".rootCAFile " + rootCa + " cannot be read");
      }
    }
    Connector connector = new Connector(type, id, name, values, Map.copyOf(secrets), rootCa);
    for (String field : SECRET_FIELDS.getOrDefault(type, Set.of())) {
      if (values.containsKey(field)) {
        yaml.problem(
            lines.get(field),
            where
                + ".config."
                + field
                + " is a secret and may not be written inline; give it as {env: VARIABLE} or"
                + " {file: PATH}");
      }
    }
    checkFields(connector, config, lines);
    return connector;
  }

  private static String defaultName(String type) {
    return switch (type) {
      case "ldap" -> "LDAP";
      case "oidc" -> "Single sign-on";
      case "github" -> "GitHub";
      default -> "Microsoft";
    };
  }

  /** Dex's required fields and kfboot's rules, per type. */
  private void checkFields(Connector c, MappingNode node, Map<String, Node> lines) {
    String where = c.where() + ".config";
    if (c.config().containsKey("redirectURI")) {
      yaml.problem(
          lines.get("redirectURI"),
          where
              + ".redirectURI is set by kfboot (the issuer + /callback, the same for every"
              + " connector); drop it and register that URI at the provider");
    }
    for (Map.Entry<String, Object> e : c.config().entrySet()) {
      if (containsDollar(e.getValue())) {
        // Dex expands $VAR in connector configs (DEX_EXPAND_ENV): an inline '$' would be replaced
        yaml.problem(
            lines.get(e.getKey()),
            where
                + "."
                + e.getKey()
                + " contains '$', which Dex would expand as an environment variable; give the"
                + " value as {env: VARIABLE} or {file: PATH}");
      }
    }
    switch (c.type()) {
      case "ldap" -> {
        require(c, node, where, "host");
        Map<String, Object> userSearch = c.section("userSearch");
        if (userSearch.isEmpty()) {
          yaml.problem(node, where + ".userSearch is missing (baseDN, username, emailAttr)");
        } else {
          for (String f : List.of("baseDN", "username", "emailAttr")) {
            if (!userSearch.containsKey(f)) {
              yaml.problem(lines.get("userSearch"), where + ".userSearch." + f + " is missing");
            }
          }
        }
        Map<String, Object> groupSearch = c.section("groupSearch");
        if (!groupSearch.isEmpty()) {
          if ((groupSearch.containsKey("userAttr") || groupSearch.containsKey("groupAttr"))
              && !groupSearch.containsKey("userMatchers")) {
            yaml.problem(
                lines.get("groupSearch"),
                where
                    + ".groupSearch uses userAttr/groupAttr, the form Dex replaced; write"
                    + " userMatchers: [{userAttr: DN, groupAttr: member}]");
          }
          for (String f : List.of("baseDN", "nameAttr")) {
            if (!groupSearch.containsKey(f)) {
              yaml.problem(lines.get("groupSearch"), where + ".groupSearch." + f + " is missing");
            }
          }
        }
        boolean anonymous = !c.config().containsKey("bindDN");
        if (!anonymous && !c.secrets().containsKey("bindPW") && !c.config().containsKey("bindPW")) {
          yaml.problem(node, where + ".bindPW is missing for bindDN; give it as {env: VARIABLE}");
        }
      }
      case "oidc" -> {
        require(c, node, where, "issuer");
        require(c, node, where, "clientID");
        require(c, node, where, "clientSecret");
        if (c.get("scopes") instanceof List<?> scopes
            && scopes.contains("groups")
            && !Boolean.TRUE.equals(c.get("insecureEnableGroups"))) {
          yaml.problem(
              lines.get("scopes"),
              where
                  + ".scopes asks for groups, which Dex drops unless insecureEnableGroups: true"
                  + " is set too (https://dexidp.io/docs/connectors/oidc/)");
        }
      }
      case "github" -> {
        require(c, node, where, "clientID");
        require(c, node, where, "clientSecret");
        if (c.config().containsKey("org") && c.config().containsKey("orgs")) {
          yaml.problem(node, where + " sets both org and orgs; Dex takes one, use orgs");
        }
      }
      default -> {
        require(c, node, where, "clientID");
        require(c, node, where, "clientSecret");
      }
    }
  }

  private static boolean containsDollar(Object value) {
    if (value instanceof String s) {
      return s.contains("$");
    }
    if (value instanceof Map<?, ?> m) {
      return m.values().stream().anyMatch(AuthConfigReader::containsDollar);
    }
    if (value instanceof List<?> l) {
      return l.stream().anyMatch(AuthConfigReader::containsDollar);
    }
    return false;
  }

  private void require(Connector c, Node node, String where, String field) {
    if (!c.config().containsKey(field) && !c.secrets().containsKey(field)) {
      yaml.problem(node, where + "." + field + " is missing");
    }
  }

  /**
   * The node as plain values; {@code {env: X}} and {@code {file: P}} mappings become secret
   * references (by dotted path) and are left out of the values.
   */
  private Object plain(
      Node node,
      String path,
      Map<String, SecretRef> secrets,
      Map<String, Node> lines,
      String where) {
    if (node instanceof MappingNode mn) {
      SecretRef ref = secretRef(mn, where + ".config." + path);
      if (ref != null) {
        return ref;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (NodeTuple t : mn.getValue()) {
        String key = YamlReader.scalar(t.getKeyNode());
        String sub = path.isEmpty() ? key : path + "." + key;
        if (path.isEmpty()) {
          lines.put(key, t.getKeyNode());
        }
        Object v = plain(t.getValueNode(), sub, secrets, lines, where);
        if (v instanceof SecretRef r) {
          secrets.put(sub, r);
        } else {
          out.put(key, v);
        }
      }
      return out;
    }
    if (node instanceof SequenceNode sn) {
      List<Object> out = new ArrayList<>();
      for (Node n : sn.getValue()) {
        Object v = plain(n, path, secrets, lines, where);
        if (v instanceof SecretRef) {
          yaml.problem(n, where + ".config." + path + ": a secret reference cannot be a list item");
        } else {
          out.add(v);
        }
      }
      return out;
    }
    ScalarNode s = (ScalarNode) node;
    if (Tag.BOOL.equals(s.getTag())) {
      return YamlReader.yamlBoolean(s.getValue());
    }
    if (Tag.INT.equals(s.getTag())) {
      try {
        return Long.parseLong(s.getValue());
      } catch (NumberFormatException e) {
        return s.getValue();
      }
    }
    if (Tag.NULL.equals(s.getTag())) {
      return null;
    }
    return s.getValue();
  }

  /** A {@code {env: X}} or {@code {file: P}} mapping, or null for any other mapping. */
  private SecretRef secretRef(MappingNode mn, String field) {
    return SecretRef.read(yaml, mn, field, base);
  }
}
