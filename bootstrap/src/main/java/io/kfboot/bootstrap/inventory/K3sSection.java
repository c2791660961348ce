package io.kfboot.bootstrap.inventory;

import io.kfboot.bootstrap.inventory.Inventory.K3s;
import io.kfboot.bootstrap.inventory.Inventory.TokenSource;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** {@code k3s:}: version, API endpoint, token source, extra arguments. */
final class K3sSection extends InventorySection {
  private final TokenSource defaultToken;

  /**
   * @param defaultToken where the token comes from when k3s names none, or null: one is required
   */
  K3sSection(InventorySection file, TokenSource defaultToken) {
    super(file);
    this.defaultToken = defaultToken;
  }

  K3s read(Node node) {
    if (node == null && defaultToken != null) {
      return new K3s(InventoryLoader.DEFAULT_K3S_VERSION, List.of(), null, List.of(), defaultToken);
    }
    if (node == null) {
      problems.add("line 1: k3s is missing; it needs at least token: {env: NAME} or {file: PATH}");
      return null;
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(at(node) + "k3s must be a mapping");
      return null;
    }
    Map<String, Node> m =
        keys(mn, "k3s", Set.of("version", "extraArgs", "apiEndpoint", "tlsSan", "token"));
    String version = string(m, mn, "version", InventoryLoader.DEFAULT_K3S_VERSION, false);
    if (K3sVersion.tryParse(version).isEmpty()) {
      problems.add(
          at(m.get("version"))
              + "k3s version '"
              + version
              + "' is not a k3s release like "
              + InventoryLoader.DEFAULT_K3S_VERSION);
    }
    TokenSource token = null;
    Node t = m.get("token");
    if (t == null && defaultToken != null) {
      token = defaultToken;
    } else if (t == null) {
      problems.add(
          at(mn)
              + "k3s.token is missing: give {env: K3S_TOKEN} or {file: /path/to/token} (the token"
              + " itself never goes into the inventory)");
    } else if (t instanceof ScalarNode) {
      problems.add(
          at(t)
              + "k3s.token is written inline; secrets do not belong in the inventory: use {env:"
              + " K3S_TOKEN} or {file: /path/to/token}");
    } else if (t instanceof MappingNode tm) {
      Map<String, Node> tk = keys(tm, "k3s.token", Set.of("env", "file"));
      String env = string(tk, tm, "env", null, false);
      String file = string(tk, tm, "file", null, false);
      if ((env == null) == (file == null)) {
        problems.add(at(tm) + "k3s.token needs exactly one of env or file");
      } else if (env != null && !ENV_NAME.matcher(env).matches()) {
        problems.add(
            at(tk.get("env")) + "k3s.token.env '" + env + "' is no environment variable name");
      } else {
        token = new TokenSource(env, file == null ? null : base.resolve(expandHome(file)));
      }
    }
    return new K3s(
        version,
        strings(m.get("extraArgs"), "k3s.extraArgs"),
        string(m, mn, "apiEndpoint", null, false),
        strings(m.get("tlsSan"), "k3s.tlsSan"),
        token);
  }
}
