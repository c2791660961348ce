package io.kfboot.bootstrap.inventory;

import io.kfboot.bootstrap.inventory.Inventory.Airgap;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.inventory.Inventory.K3s;
import io.kfboot.bootstrap.inventory.Inventory.Nvidia;
import io.kfboot.bootstrap.inventory.Inventory.Registries;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.inventory.Inventory.Storage;
import io.kfboot.bootstrap.inventory.Inventory.TokenSource;
import io.kfboot.core.Nearest;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and validates an inventory file. Every problem is collected with its line number (unknown
 * keys with the nearest known one), and the inventory is refused as a whole before any host is
 * touched. The join token is never accepted inline.
 */
public final class InventoryLoader extends InventorySection {
  /** The k3s release kfboot installs unless the inventory pins another. */
  public static final String DEFAULT_K3S_VERSION = "v1.32.4+k3s1";

  /** The token source where k3s names none (a stack's secret), or null: then one is required. */
  private final TokenSource defaultToken;

  private InventoryLoader(Path base, TokenSource defaultToken) {
    super(base);
    this.defaultToken = defaultToken;
  }

  public static Inventory load(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new InventoryException(file.toString(), List.of("cannot read it: " + e.getMessage()));
    }
    return parse(text, file.toString(), file.toAbsolutePath().getParent());
  }

  /**
   * @param base the folder relative key and airgap paths are resolved against
   */
  public static Inventory parse(String text, String source, Path base) {
    return parse(text, source, base, null);
  }

  /**
   * As {@link #parse(String, String, Path)}, with the join token from {@code defaultToken} where
   * {@code k3s} names no token: a Pulumi stack keeps it as a secret config key, out of the
   * inventory.
   */
  public static Inventory parse(String text, String source, Path base, TokenSource defaultToken) {
    InventoryLoader l = new InventoryLoader(base, defaultToken);
    Inventory inv = l.read(new StringReader(text));
    if (!l.problems.isEmpty()) {
      throw new InventoryException(source, l.problems);
    }
    return inv;
  }

  private Inventory read(Reader reader) {
    MappingNode top = yaml.root(reader, "a mapping with cluster, k3s, ssh and hosts").orElse(null);
    if (top == null) {
      return null;
    }
    Map<String, Node> m =
        keys(
            top,
            "the top level",
            Set.of(
                "cluster",
                "k3s",
                "containerRuntime",
                "registries",
                "airgap",
                "ssh",
                "hosts",
                "nvidia",
                "storage",
                // read by the access loader of the components layer (identity, profiles, gateway)
                "auth",
                "profiles",
                "gateway",
                // the external stores, read by the same loader
                "pipelines",
                "katib"));
    String cluster = string(m, top, "cluster", null, true);
    if (cluster != null && !DNS_LABEL.matcher(cluster).matches()) {
      problems.add(
          at(m.get("cluster"))
              + "cluster '"
              + cluster
              + "' must be a DNS label (lower-case letters, digits, '-'), e.g. lab-1");
    }
    K3s k3s = new K3sSection(this, defaultToken).read(m.get("k3s"));
    String runtime = string(m, top, "containerRuntime", "containerd", false);
    if (!Set.of("containerd", "docker").contains(runtime)) {
      problems.add(
          at(m.get("containerRuntime"))
              + "containerRuntime '"
              + runtime
              + "' is neither containerd (k3s' own) nor docker");
    }
    SourcesSection sources = new SourcesSection(this);
    Registries registries = sources.registries(m.get("registries"));
    Airgap airgap = sources.airgap(m.get("airgap"));
    Map<String, Node> ssh =
        m.get("ssh") instanceof MappingNode sm
            ? keys(sm, "ssh", Set.of("user", "port", "key", "sudo"))
            : Map.of();
    List<Host> hosts = new HostsSection(this).read(m.get("hosts"), top, ssh);
    if (problems.isEmpty()) {
      hosts =
          hosts.stream()
              .sorted(Comparator.comparing(h -> h.role() == Role.SERVER ? 0 : 1))
              .toList();
    }
    Nvidia nvidia = new NvidiaSection(this).read(m.get("nvidia"));
    Storage storage = new StorageSection(this).read(m.get("storage"), hosts);
    if (k3s != null
        && runtime.equals("containerd")
        && !nvidia.operator()
        && hosts.stream().anyMatch(Host::gpu)
        && !k3s.hasDefaultRuntime()) {
      // Without it, pods that name no runtimeClassName (Kubeflow's) get no GPU.
      problems.add(
          at(m.get("k3s"))
              + "k3s "
              + k3s.version()
              + " cannot make nvidia the default container runtime (default-runtime came with"
              + " v1.29.0, v1.28.5, v1.27.9 and v1.26.12); use one of those or newer (kfboot's"
              + " default is "
              + DEFAULT_K3S_VERSION
              + "), or set nvidia.operator: true and let the GPU Operator configure containerd");
    }
    if (k3s != null
        && registries.embeddedRegistry()
        && !K3sVersion.tryParse(k3s.version()).map(K3sVersion::hasEmbeddedRegistry).orElse(true)) {
      problems.add(
          at(m.get("registries"))
              + "registries.embeddedRegistry needs k3s v1.29.12, v1.30.8, v1.31.4 or newer (where"
              + " it left its experimental state); the inventory pins "
              + k3s.version());
    }
    return new Inventory(
        cluster, k3s, runtime, registries, airgap, hosts, List.copyOf(warnings), nvidia, storage);
  }

  /** The known key nearest to a misspelt one, or null. */
  public static String nearest(String word, Set<String> known) {
    return Nearest.to(word, known).orElse(null);
  }
}
