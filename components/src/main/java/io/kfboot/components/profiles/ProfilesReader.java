package io.kfboot.components.profiles;

import io.kfboot.core.YamlReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads {@code profiles:}: each profile's name, owner, quota and contributors, every problem with
 * its line. Names must be DNS labels (they are namespaces) and unique; owners and users lower-case
 * e-mails (the gateway matches them exactly); groups named in {@code auth.groups}, or (where an
 * LDAP connector searches groups) looked up in the directory when the profiles are applied.
 */
public final class ProfilesReader {
  static final Set<String> ROLES = Set.of("view", "edit", "admin");
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final Set<String> RESERVED =
      Set.of("kubeflow", "kube-system", "kube-public", "default", "istio-system", "auth");

  private final YamlReader yaml;
  private final Set<String> groups;
  private final boolean directoryGroups;

  /**
   * @param groups the names of auth.groups
   * @param directoryGroups whether an LDAP connector searches groups, so that a group not in
   *     auth.groups may be the directory's
   */
  public ProfilesReader(YamlReader yaml, Set<String> groups, boolean directoryGroups) {
    this.yaml = yaml;
    this.groups = groups;
    this.directoryGroups = directoryGroups;
  }

  public List<ProfileSpec> read(Node node) {
    List<ProfileSpec> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (MappingNode p : yaml.mappings(node, node, "profiles", false)) {
      Map<String, Node> m =
          yaml.keys(p, "a profile", Set.of("name", "owner", "resourceQuotaSpec", "contributors"));
      String name = yaml.string(m, p, "name", null, true);
      String owner = yaml.string(m, p, "owner", null, true);
      if (name == null || owner == null) {
        continue;
      }
      if (!DNS_LABEL.matcher(name).matches()) {
        yaml.problem(
            m.get("name"),
            "profiles: '"
                + name
                + "' is no namespace name (lower-case letters, digits, '-', up to"
                + " 63)");
      } else if (RESERVED.contains(name) || name.startsWith("kube-")) {
        yaml.problem(m.get("name"), "profiles: '" + name + "' is a system namespace");
      } else if (!names.add(name)) {
        yaml.problem(m.get("name"), "profiles: '" + name + "' is declared twice");
      }
      checkEmail(m.get("owner"), "profiles[" + name + "].owner", owner);
      Map<String, Object> quota = quota(m.get("resourceQuotaSpec"), name);
      List<Contributor> contributors = new ArrayList<>();
      for (MappingNode c :
          yaml.mappings(m.get("contributors"), p, "profiles[" + name + "].contributors", false)) {
        Contributor contributor = contributor(c, name);
        if (contributor != null) {
          contributors.add(contributor);
        }
      }
      out.add(new ProfileSpec(name, owner, quota, contributors));
    }
    return out;
  }

  private Contributor contributor(MappingNode c, String profile) {
    String where = "profiles[" + profile + "].contributors";
    Map<String, Node> m = yaml.keys(c, where, Set.of("user", "group", "role"));
    String user = yaml.string(m, c, "user", null, false);
    String group = yaml.string(m, c, "group", null, false);
    String role = yaml.string(m, c, "role", null, true);
    if ((user == null) == (group == null)) {
      yaml.problem(c, where + ": give either user or group");
      return null;
    }
    if (role != null && !ROLES.contains(role)) {
      yaml.problem(m.get("role"), where + ": role '" + role + "' is none of view, edit, admin");
      return null;
    }
    if (user != null) {
      checkEmail(m.get("user"), where, user);
      return new Contributor("user", user, role);
    }
    if (!groups.contains(group) && !directoryGroups) {
      yaml.problem(
          m.get("group"),
          where
              + ": group '"
              + group
              + "' is not in auth.groups; list its members there, or give an LDAP connector a"
              + " groupSearch that finds it");
      return null;
    }
    return new Contributor("group", group, role);
  }

  private void checkEmail(Node at, String where, String email) {
    if (!EMAIL.matcher(email).matches()) {
      yaml.problem(at, where + ": '" + email + "' is no e-mail address");
    } else if (!email.equals(email.toLowerCase(Locale.ROOT))) {
      yaml.problem(at, where + ": '" + email + "' has upper-case letters; write it in lower case");
    }
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> quota(Node node, String profile) {
    if (node == null) {
      return Map.of();
    }
    if (!(node instanceof MappingNode mn)) {
      yaml.problem(node, "profiles[" + profile + "].resourceQuotaSpec must be a mapping");
      return Map.of();
    }
    Map<String, Node> m =
        yaml.keys(mn, "resourceQuotaSpec", Set.of("hard", "scopes", "scopeSelector"));
    Yaml y = new Yaml(new SafeConstructor(new LoaderOptions()));
    StringWriter text = new StringWriter();
    y.serialize(mn, text);
    Object plain = y.load(text.toString());
    if (m.get("hard") == null) {
      yaml.problem(node, "profiles[" + profile + "].resourceQuotaSpec has no hard limits");
    }
    return (Map<String, Object>) plain;
  }
}
