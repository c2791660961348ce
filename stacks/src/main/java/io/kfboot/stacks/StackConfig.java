package io.kfboot.stacks;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.components.access.AccessConfig;
import io.kfboot.components.access.AccessConfigLoader;
import io.kfboot.components.stores.StoresConfig;
import io.kfboot.core.KfbootException;
import io.kfboot.core.YamlReader;
import io.kfboot.platform.PlatformSettings;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A stack's settings, from its {@code kfboot:} configuration (Pulumi.&lt;stack&gt;.yaml). The
 * hosts, k3s, GPU and storage settings are an inventory under {@code kfboot:inventory}, read and
 * validated by the same {@link InventoryLoader} as {@code kfboot hosts}; the join token, SSH key
 * and an existing cluster's kubeconfig are secret keys read apart, never here.
 *
 * @param inventory the hosts to bring up; null to install onto an existing cluster
 * @param manifests release tag, tarball or directory, as {@code --manifests}
 * @param components components to install (empty: the release's defaults)
 * @param without components to leave out
 * @param adminEmail the Dex user
 * @param gpu whether to add the GPU component (also implied by GPU hosts)
 * @param gatewayServiceType null for upstream's ClusterIP, else NodePort or LoadBalancer
 * @param inventoryYaml the inventory as the stack hands it to {@code kfboot hosts step}; null with
 *     no inventory
 * @param knownHosts the known_hosts file hosts are checked against
 * @param acceptNewHostKeys trust hosts not in it (loud; as {@code --accept-new-host-keys})
 * @param skipVerify stop after the install, as {@code kfboot up --skip-verify}
 * @param verifySkip verify checks to leave out, as {@code kfboot verify --skip}
 */
public record StackConfig(
    Inventory inventory,
    String inventoryYaml,
    Path knownHosts,
    boolean acceptNewHostKeys,
    String manifests,
    List<String> components,
    List<String> without,
    String adminEmail,
    boolean gpu,
    String gatewayServiceType,
    boolean skipVerify,
    List<String> verifySkip,
    String accessYaml) {

  /** The access sections (auth, profiles, gateway) as read; the defaults where none is given. */
  public AccessConfig access() {
    return accessYaml == null
        ? AccessConfig.DEFAULTS
        : AccessConfigLoader.parse(accessYaml, NAMESPACE, Path.of("."));
  }

  /** The store sections (pipelines, katib) as read; in-cluster stores where none is given. */
  public StoresConfig stores() {
    return accessYaml == null
        ? StoresConfig.DEFAULTS
        : AccessConfigLoader.parseStores(accessYaml, NAMESPACE, Path.of("."));
  }

  public static final String NAMESPACE = "kfboot";
  public static final String DEFAULT_ADMIN_EMAIL = PlatformSettings.DEFAULT_ADMIN_EMAIL;

  /** The plain keys; the secret ones are {@link #SECRET_KEYS}. */
  public static final Set<String> KEYS =
      Set.of(
          "inventory",
          "auth",
          "profiles",
          "gateway",
          "pipelines",
          "katib",
          "manifests",
          "components",
          "without",
          "adminEmail",
          "gpu",
          "gatewayServiceType",
          "knownHosts",
          "acceptNewHostKeys",
          "skipVerify",
          "verifySkip");

  public static final Set<String> SECRET_KEYS = Set.of("k3sToken", "sshPrivateKey", "kubeconfig");

  /** Where the inventory's join token comes from in a stack: the secret config key k3sToken. */
  public static final String TOKEN_ENV = "KFBOOT_STACK_K3S_TOKEN";

  public boolean wantsGpu() {
    return gpu || inventory != null && inventory.hosts().stream().anyMatch(Inventory.Host::gpu);
  }

  public Inventory.Storage storage() {
    return inventory == null ? Inventory.Storage.DEFAULTS : inventory.storage();
  }

  public Inventory.Nvidia nvidia() {
    return inventory == null ? Inventory.Nvidia.DEFAULTS : inventory.nvidia();
  }

  /**
   * Reads and validates the configuration. Every problem is collected and reported at once, before
   * any resource is registered.
   *
   * @param values the {@code kfboot:} keys without their namespace, as Pulumi gives them (objects
   *     and lists as JSON text)
   * @param secretsPresent which secret keys the stack has
   * @param base the folder key paths of the inventory are read against
   */
  public static StackConfig parse(
      Map<String, String> values, Set<String> secretsPresent, Path base) {
    List<String> problems = new ArrayList<>();
    for (String key : new TreeSet<>(values.keySet())) {
      if (!KEYS.contains(key)) {
        String near = InventoryLoader.nearest(key, union(KEYS, SECRET_KEYS));
        problems.add(
            "unknown config key "
                + NAMESPACE
                + ":"
                + key
                + (near == null ? "" : "; did you mean " + NAMESPACE + ":" + near + "?"));
      }
    }
    Inventory inventory = null;
    String inventoryYaml = null;
    String inventoryText = values.get("inventory");
    if (inventoryText != null) {
      YamlReader yaml = new YamlReader();
      MappingNode tree =
          yaml.root(
                  new StringReader(inventoryText),
                  "an object with cluster, k3s and hosts, as an inventory file")
              .orElse(null);
      yaml.problems().forEach(p -> problems.add(NAMESPACE + ":inventory " + p));
      if (tree != null) {
        Node token = child(child(tree, "k3s"), "token");
        if (token != null) {
          problems.add(
              NAMESPACE
                  + ":inventory sets k3s.token; in a stack the join token is the secret config key "
                  + NAMESPACE
                  + ":k3sToken (pulumi config set --secret "
                  + NAMESPACE
                  + ":k3sToken ...)");
        } else {
          // read as the user wrote it, so that its line numbers are theirs
          try {
            inventory =
                InventoryLoader.parse(
                    inventoryText,
                    NAMESPACE + ":inventory",
                    base,
                    new Inventory.TokenSource(TOKEN_ENV, null));
            inventoryYaml = handOff(inventoryText);
          } catch (RuntimeException e) {
            problems.add(e.getMessage());
          }
        }
        if (!secretsPresent.contains("k3sToken")) {
          problems.add(
              "hosts need the join token: pulumi config set --secret "
                  + NAMESPACE
                  + ":k3sToken \"$(openssl rand -hex 32)\"");
        }
        if (!secretsPresent.contains("sshPrivateKey")) {
          problems.add(
              "hosts are reached over SSH: pulumi config set --secret "
                  + NAMESPACE
                  + ":sshPrivateKey < ~/.ssh/id_ecdsa");
        }
      }
      if (secretsPresent.contains("kubeconfig")) {
        problems.add(
            NAMESPACE
                + ":kubeconfig and "
                + NAMESPACE
                + ":inventory exclude each other: the hosts' cluster gives its own kubeconfig");
      }
    } else if (!secretsPresent.contains("kubeconfig")) {
      problems.add(
          "nothing to install onto: set "
              + NAMESPACE
              + ":inventory (hosts to bring up) or the secret "
              + NAMESPACE
              + ":kubeconfig (an existing cluster: pulumi config set --secret "
              + NAMESPACE
              + ":kubeconfig < ~/.kube/config)");
    }
    String email = values.getOrDefault("adminEmail", DEFAULT_ADMIN_EMAIL);
    if (!email.matches("[^@\\s]+@[^@\\s]+\\.[^@\\s]+")) {
      problems.add(NAMESPACE + ":adminEmail '" + email + "' is no e-mail address");
    }
    String gpu = values.getOrDefault("gpu", "false");
    if (!Set.of("true", "false").contains(gpu)) {
      problems.add(NAMESPACE + ":gpu must be true or false, not '" + gpu + "'");
    }
    String gateway = values.get("gatewayServiceType");
    if (gateway != null && !Set.of("ClusterIP", "NodePort", "LoadBalancer").contains(gateway)) {
      problems.add(
          NAMESPACE
              + ":gatewayServiceType '"
              + gateway
              + "' is none of ClusterIP, NodePort, LoadBalancer");
    }
    List<String> components = strings(values.get("components"), "components", problems);
    List<String> without = strings(values.get("without"), "without", problems);
    String accept = values.getOrDefault("acceptNewHostKeys", "false");
    if (!Set.of("true", "false").contains(accept)) {
      problems.add(NAMESPACE + ":acceptNewHostKeys must be true or false, not '" + accept + "'");
    }
    Path knownHosts =
        Path.of(
            values.getOrDefault(
                "knownHosts", System.getProperty("user.home") + "/.ssh/known_hosts"));
    String skipVerify = values.getOrDefault("skipVerify", "false");
    if (!Set.of("true", "false").contains(skipVerify)) {
      problems.add(NAMESPACE + ":skipVerify must be true or false, not '" + skipVerify + "'");
    }
    List<String> verifySkip = strings(values.get("verifySkip"), "verifySkip", problems);
    String accessYaml = accessYaml(values, inventoryText, base, problems);
    if (!problems.isEmpty()) {
      throw new StackConfigException(problems);
    }
    return new StackConfig(
        inventory,
        inventoryYaml,
        knownHosts,
        Boolean.parseBoolean(accept),
        values.getOrDefault("manifests", ""),
        components,
        without,
        email,
        Boolean.parseBoolean(gpu),
        "ClusterIP".equals(gateway) ? null : gateway,
        Boolean.parseBoolean(skipVerify),
        verifySkip,
        accessYaml);
  }

  /**
   * The access sections as YAML: each of {@code kfboot:auth}, {@code kfboot:profiles} and {@code
   * kfboot:gateway} (objects), else the inventory's own section of that name; checked here with the
   * stack's other keys.
   */
  private static String accessYaml(
      Map<String, String> values, String inventoryText, Path base, List<String> problems) {
    MappingNode inventory =
        inventoryText == null
            ? null
            : new YamlReader().root(new StringReader(inventoryText), "").orElse(null);
    StringBuilder fromConfig = new StringBuilder();
    boolean fromInventory = false;
    for (String section : sections()) {
      String given = values.get(section);
      boolean inInventory = child(inventory, section) != null;
      if (given != null && inInventory) {
        problems.add(
            NAMESPACE
                + ":"
                + section
                + " and the "
                + section
                + ": of "
                + NAMESPACE
                + ":inventory exclude each other");
        return null;
      }
      if (given != null) {
        fromConfig.append(section).append(":\n").append(indent(given));
      }
      fromInventory |= inInventory;
    }
    if (fromConfig.length() == 0 && !fromInventory) {
      return null;
    }
    // the inventory's other keys are the bootstrap loader's; the access loader skips them. Mixed,
    // the inventory's sections are written out again in block style, so that the config's follow
    String text =
        !fromInventory
            ? fromConfig.toString()
            : fromConfig.length() == 0 ? inventoryText : accessSections(inventoryText) + fromConfig;
    try {
      String source = NAMESPACE + (fromInventory ? ":inventory" : ":config");
      AccessConfigLoader.parse(text, source, base);
      AccessConfigLoader.parseStores(text, source, base);
      return text;
    } catch (KfbootException e) {
      problems.add(e.getMessage());
      return null;
    }
  }

  /** The components layer's sections a stack may give as config keys or in its inventory. */
  private static Set<String> sections() {
    Set<String> all = new TreeSet<>(AccessConfigLoader.SECTIONS);
    all.addAll(AccessConfigLoader.STORE_SECTIONS);
    return all;
  }

  private static String indent(String text) {
    return text.lines().map(l -> "  " + l).reduce((a, b) -> a + "\n" + b).orElse("") + "\n";
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new TreeSet<>(a);
    u.addAll(b);
    return u;
  }

  /** The value of {@code key} in a mapping, or null (also when {@code node} is no mapping). */
  private static Node child(Node node, String key) {
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (key.equals(YamlReader.scalar(t.getKeyNode()))) {
          return t.getValueNode();
        }
      }
    }
    return null;
  }

  /** A list as JSON or YAML ([a, b]) or as one comma-separated value (a,b). */
  private static List<String> strings(String text, String key, List<String> problems) {
    if (text == null) {
      return List.of();
    }
    YamlReader yaml = new YamlReader();
    Node node = yaml.document(new StringReader(text)).orElse(null);
    List<String> out = List.of();
    if (node instanceof ScalarNode s) {
      out = List.of(s.getValue().split(","));
    } else if (node instanceof SequenceNode) {
      out = yaml.strings(node, "the list");
    } else if (yaml.problems().isEmpty()) {
      problems.add(NAMESPACE + ":" + key + " must be a list of ids");
    }
    yaml.problems().forEach(p -> problems.add(NAMESPACE + ":" + key + " " + p));
    return out;
  }

  /** The inventory's access sections alone, as block YAML. */
  @SuppressWarnings("unchecked")
  private static String accessSections(String inventoryText) {
    Map<String, Object> inv =
        (Map<String, Object>)
            new Yaml(new SafeConstructor(new LoaderOptions())).load(inventoryText);
    Map<String, Object> sections = new LinkedHashMap<>();
    for (String section : sections()) {
      if (inv.containsKey(section)) {
        sections.put(section, inv.get(section));
      }
    }
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(o).dump(sections);
  }

  /**
   * The inventory as the stack hands it to {@code kfboot hosts step}: the user's, with the join
   * token taken from the environment variable the stack sets from its secret.
   */
  @SuppressWarnings("unchecked")
  private static String handOff(String inventoryText) {
    Map<String, Object> inv =
        new LinkedHashMap<>(
            (Map<String, Object>)
                new Yaml(new SafeConstructor(new LoaderOptions())).load(inventoryText));
    Map<String, Object> k3s =
        inv.get("k3s") instanceof Map<?, ?> k
            ? new LinkedHashMap<>((Map<String, Object>) k)
            : new LinkedHashMap<>();
    k3s.put("token", Map.of("env", TOKEN_ENV));
    inv.put("k3s", k3s);
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(o).dump(inv);
  }
}
