package io.kfboot.bootstrap.inventory;

import io.kfboot.bootstrap.inventory.Inventory.Airgap;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.inventory.Inventory.K3s;
import io.kfboot.bootstrap.inventory.Inventory.Nfs;
import io.kfboot.bootstrap.inventory.Inventory.Nvidia;
import io.kfboot.bootstrap.inventory.Inventory.Registries;
import io.kfboot.bootstrap.inventory.Inventory.RegistryAuth;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.inventory.Inventory.StaticVolume;
import io.kfboot.bootstrap.inventory.Inventory.Storage;
import io.kfboot.bootstrap.inventory.Inventory.StorageMode;
import io.kfboot.bootstrap.inventory.Inventory.TokenSource;
import io.kfboot.core.Nearest;
import io.kfboot.core.YamlReader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads and validates an inventory file. Every problem is collected with its line number (unknown
 * keys with the nearest known one), and the inventory is refused as a whole before any host is
 * touched. The join token is never accepted inline.
 */
public final class InventoryLoader {
  /** The k3s release kfboot installs unless the inventory pins another. */
  public static final String DEFAULT_K3S_VERSION = "v1.32.4+k3s1";

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern K3S_VERSION = Pattern.compile("v\\d+\\.\\d+\\.\\d+\\+k3s\\d+");
  private static final Pattern TAINT =
      Pattern.compile("[A-Za-z0-9./-]+(=[A-Za-z0-9._-]*)?:(NoSchedule|PreferNoSchedule|NoExecute)");
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** The line-aware reader all of kfboot's loaders share; its problems are this loader's. */
  private final YamlReader yaml = new YamlReader();

  private final List<String> problems = yaml.problems();
  private final List<String> warnings = new ArrayList<>();
  private final Path base;

  private InventoryLoader(Path base) {
    this.base = base;
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
    InventoryLoader l = new InventoryLoader(base);
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
                "storage"));
    String cluster = string(m, top, "cluster", null, true);
    if (cluster != null && !DNS_LABEL.matcher(cluster).matches()) {
      problems.add(
          at(m.get("cluster"))
              + "cluster '"
              + cluster
              + "' must be a DNS label (lower-case letters, digits, '-'), e.g. lab-1");
    }
    K3s k3s = k3s(m.get("k3s"));
    String runtime = string(m, top, "containerRuntime", "containerd", false);
    if (!Set.of("containerd", "docker").contains(runtime)) {
      problems.add(
          at(m.get("containerRuntime"))
              + "containerRuntime '"
              + runtime
              + "' is neither containerd (k3s' own) nor docker");
    }
    Registries registries = registries(m.get("registries"));
    Airgap airgap = airgap(m.get("airgap"));
    Map<String, Node> ssh =
        m.get("ssh") instanceof MappingNode sm
            ? keys(sm, "ssh", Set.of("user", "port", "key", "sudo"))
            : Map.of();
    List<Host> hosts = hosts(m.get("hosts"), top, ssh);
    if (problems.isEmpty()) {
      hosts =
          hosts.stream()
              .sorted(Comparator.comparing(h -> h.role() == Role.SERVER ? 0 : 1))
              .toList();
    }
    Nvidia nvidia = nvidia(m.get("nvidia"));
    Storage storage = storage(m.get("storage"), hosts);
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
    return new Inventory(
        cluster, k3s, runtime, registries, airgap, hosts, List.copyOf(warnings), nvidia, storage);
  }

  private Nvidia nvidia(Node node) {
    if (node == null) {
      return Nvidia.DEFAULTS;
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(
          at(node) + "nvidia must be a mapping with installDriver, timeSlicing and operator");
      return Nvidia.DEFAULTS;
    }
    Map<String, Node> m = keys(mn, "nvidia", Set.of("installDriver", "timeSlicing", "operator"));
    boolean installDriver = bool(m, mn, "installDriver", false);
    boolean operator = bool(m, mn, "operator", false);
    String slices = string(m, mn, "timeSlicing", "1", false);
    int timeSlicing = 1;
    try {
      timeSlicing = Integer.parseInt(slices);
      if (timeSlicing < 1 || timeSlicing > 64) {
        throw new NumberFormatException();
      }
    } catch (NumberFormatException e) {
      problems.add(
          at(m.get("timeSlicing"))
              + "nvidia.timeSlicing '"
              + slices
              + "' must be a number of pods per GPU from 1 (no sharing) to 64");
    }
    if (operator && (installDriver || timeSlicing > 1)) {
      problems.add(
          at(node)
              + "nvidia.operator: true leaves the driver and device plugin to the GPU Operator;"
              + " drop installDriver and timeSlicing and configure them in the operator's"
              + " ClusterPolicy");
    }
    return new Nvidia(installDriver, timeSlicing, operator);
  }

  private Storage storage(Node node, List<Host> hosts) {
    if (node == null) {
      return Storage.DEFAULTS;
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(at(node) + "storage must be a mapping with mode (" + StorageMode.keys() + ")");
      return Storage.DEFAULTS;
    }
    Map<String, Node> m = keys(mn, "storage", Set.of("mode", "localPath", "nfs"));
    String modeText = string(m, mn, "mode", "local-path", false);
    StorageMode mode = StorageMode.fromKey(modeText);
    if (mode == null) {
      problems.add(
          at(m.get("mode")) + "storage.mode '" + modeText + "' is none of " + StorageMode.keys());
      return Storage.DEFAULTS;
    }
    String localPath = string(m, mn, "localPath", null, false);
    if (localPath != null && !localPath.startsWith("/")) {
      problems.add(
          at(m.get("localPath"))
              + "storage.localPath '"
              + localPath
              + "' must be an absolute path");
    }
    Nfs nfs = null;
    if (mode.nfs()) {
      if (!(m.get("nfs") instanceof MappingNode nm)) {
        problems.add(
            at(m.get("nfs") != null ? m.get("nfs") : node)
                + "storage.mode "
                + mode.key()
                + " needs storage.nfs with server (an inventory host's name or an address)");
        return new Storage(mode, localPath, null);
      }
      nfs = nfs(nm, mode, hosts);
    } else if (m.get("nfs") != null) {
      problems.add(
          at(m.get("nfs"))
              + "storage.nfs is used only with mode nfs or nfs-static, not "
              + mode.key());
    }
    return new Storage(mode, localPath, nfs);
  }

  private Nfs nfs(MappingNode nm, StorageMode mode, List<Host> hosts) {
    Map<String, Node> m = keys(nm, "storage.nfs", Set.of("server", "path", "options", "volumes"));
    String server = string(m, nm, "server", null, true);
    String path = string(m, nm, "path", Nfs.DEFAULT_PATH, false);
    if (!path.startsWith("/") || path.equals("/") || path.contains("..")) {
      problems.add(
          at(m.get("path"))
              + "storage.nfs.path '"
              + path
              + "' must be an absolute directory other than /, without '..'");
    }
    String options = string(m, nm, "options", Nfs.DEFAULT_OPTIONS, false);
    if (!options.matches("[a-z_]+(=[A-Za-z0-9_:./-]+)?(,[a-z_]+(=[A-Za-z0-9_:./-]+)?)*")) {
      problems.add(
          at(m.get("options"))
              + "storage.nfs.options '"
              + options
              + "' is not a comma-separated list of exports(5) options, e.g. "
              + Nfs.DEFAULT_OPTIONS);
    }
    Host serverHost =
        server == null
            ? null
            : hosts.stream().filter(h -> server.equals(h.name())).findFirst().orElse(null);
    List<StaticVolume> volumes = new ArrayList<>();
    Node vn = m.get("volumes");
    if (vn instanceof SequenceNode vs) {
      Set<String> seen = new HashSet<>();
      for (Node v : vs.getValue()) {
        if (!(v instanceof MappingNode vm)) {
          problems.add(at(v) + "a storage.nfs.volumes entry must be a mapping with name and size");
          continue;
        }
        Map<String, Node> vk = keys(vm, "a storage.nfs.volumes entry", Set.of("name", "size"));
        String name = string(vk, vm, "name", null, true);
        String size = string(vk, vm, "size", null, true);
        if (name != null && !DNS_LABEL.matcher(name).matches()) {
          problems.add(
              at(vk.get("name"))
                  + "volume name '"
                  + name
                  + "' must be a DNS label, e.g. katib-mysql");
        } else if (name != null && !seen.add(name)) {
          problems.add(at(vk.get("name")) + "volume name '" + name + "' is used twice");
        }
        if (size != null && !size.matches("[1-9][0-9]*(Mi|Gi|Ti)")) {
          problems.add(
              at(vk.get("size"))
                  + "volume size '"
                  + size
                  + "' must be a whole number of Mi, Gi or Ti, e.g. 20Gi");
        }
        volumes.add(new StaticVolume(name, size));
      }
    } else if (vn != null) {
      problems.add(at(vn) + "storage.nfs.volumes must be a list of {name, size}");
    }
    if (mode == StorageMode.NFS_STATIC && volumes.isEmpty()) {
      problems.add(
          at(nm)
              + "storage.mode nfs-static needs storage.nfs.volumes: the fixed volumes to make, e.g."
              + " [{name: pv-1, size: 20Gi}]");
    }
    if (mode == StorageMode.NFS && !volumes.isEmpty()) {
      problems.add(
          at(vn) + "storage.nfs.volumes is for mode nfs-static; mode nfs makes a volume per claim");
    }
    return new Nfs(
        serverHost == null ? null : serverHost.name(),
        serverHost == null ? server : serverHost.address(),
        path,
        options,
        List.copyOf(volumes));
  }

  private boolean bool(Map<String, Node> m, Node parent, String key, boolean dflt) {
    return yaml.bool(m, parent, key, dflt);
  }

  private static final Pattern IPV4ISH = Pattern.compile("[0-9.]+");
  private static final Pattern HOSTNAME =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

  /** An IPv4 address (four numbers 0-255), an IPv6 address, or a host name. */
  static boolean validAddress(String a) {
    if (IPV4ISH.matcher(a).matches()) {
      String[] parts = a.split("\\.", -1);
      if (parts.length != 4) {
        return false;
      }
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
          return false;
        }
      }
      return true;
    }
    if (a.contains(":")) {
      return a.matches("[0-9A-Fa-f:.]+") && a.chars().filter(c -> c == ':').count() >= 2;
    }
    return a.length() <= 253 && HOSTNAME.matcher(a).matches();
  }

  private K3s k3s(Node node) {
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
    String version = string(m, mn, "version", DEFAULT_K3S_VERSION, false);
    if (!K3S_VERSION.matcher(version).matches()) {
      problems.add(
          at(m.get("version"))
              + "k3s version '"
              + version
              + "' is not a k3s release like "
              + DEFAULT_K3S_VERSION);
    }
    TokenSource token = null;
    Node t = m.get("token");
    if (t == null) {
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

  private Registries registries(Node node) {
    if (node == null) {
      return new Registries(Map.of(), Map.of());
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(at(node) + "registries must be a mapping with mirrors and auth");
      return new Registries(Map.of(), Map.of());
    }
    Map<String, Node> m = keys(mn, "registries", Set.of("mirrors", "auth"));
    Map<String, List<String>> mirrors = new LinkedHashMap<>();
    if (m.get("mirrors") instanceof MappingNode mm) {
      for (NodeTuple t : mm.getValue()) {
        mirrors.put(scalar(t.getKeyNode()), strings(t.getValueNode(), "registries.mirrors"));
      }
    }
    Map<String, RegistryAuth> auth = new LinkedHashMap<>();
    if (m.get("auth") instanceof MappingNode am) {
      for (NodeTuple t : am.getValue()) {
        if (t.getValueNode() instanceof MappingNode an) {
          Map<String, Node> a =
              keys(
                  an,
                  "registries.auth." + scalar(t.getKeyNode()),
                  Set.of("username", "passwordEnv"));
          auth.put(
              scalar(t.getKeyNode()),
              new RegistryAuth(
                  string(a, an, "username", null, true), string(a, an, "passwordEnv", null, true)));
        } else {
          problems.add(
              at(t.getValueNode()) + "registries.auth entries need username and passwordEnv");
        }
      }
    }
    return new Registries(mirrors, auth);
  }

  private Airgap airgap(Node node) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(at(node) + "airgap must be a mapping with k3sBinary, images and installScript");
      return null;
    }
    Map<String, Node> m = keys(mn, "airgap", Set.of("k3sBinary", "images", "installScript"));
    Path[] paths = new Path[3];
    String[] names = {"k3sBinary", "images", "installScript"};
    for (int i = 0; i < 3; i++) {
      String p = string(m, mn, names[i], null, true);
      if (p != null) {
        paths[i] = base.resolve(expandHome(p));
        if (!Files.isReadable(paths[i])) {
          problems.add(
              at(m.get(names[i])) + "airgap." + names[i] + " " + paths[i] + " cannot be read");
        }
      }
    }
    return new Airgap(paths[0], paths[1], paths[2]);
  }

  private List<Host> hosts(Node node, MappingNode top, Map<String, Node> ssh) {
    List<Host> hosts = new ArrayList<>();
    if (!(node instanceof SequenceNode seq) || seq.getValue().isEmpty()) {
      problems.add((node == null ? at(top) : at(node)) + "hosts must list at least one host");
      return hosts;
    }
    Set<String> names = new HashSet<>();
    Set<String> addresses = new HashSet<>();
    for (Node h : seq.getValue()) {
      if (!(h instanceof MappingNode hm)) {
        problems.add(at(h) + "a host must be a mapping with name, address and role");
        continue;
      }
      Map<String, Node> m =
          keys(
              hm,
              "a host",
              Set.of(
                  "name", "address", "port", "user", "key", "sudo", "role", "labels", "taints",
                  "gpu"));
      String name = string(m, hm, "name", null, true);
      String address = string(m, hm, "address", null, true);
      if (address != null && !validAddress(address)) {
        problems.add(
            at(m.get("address"))
                + "address '"
                + address
                + "' is neither an IP address nor a host name"
                + " (an IPv4 address has four numbers from 0 to 255, e.g. 10.0.0.11)");
      }
      if (name != null && !names.add(name)) {
        problems.add(
            at(m.get("name"))
                + "host name '"
                + name
                + "' is used twice; host names must be unique (k3s node names)");
      }
      if (address != null && !validAddress(address)) {
        problems.add(
            at(m.get("address"))
                + "address '"
                + address
                + "' is neither an IP address nor a host name"
                + " (an IPv4 address has four numbers from 0 to 255, e.g. 10.0.0.11)");
      }
      if (name != null && !DNS_LABEL.matcher(name).matches()) {
        problems.add(
            at(m.get("name")) + "host name '" + name + "' must be a DNS label, e.g. gpu-1");
      }
      String port = stringOr(m.get("port"), ssh.get("port"), "22");
      if (address != null && !addresses.add(address + ":" + port)) {
        problems.add(at(m.get("address")) + "address " + address + ":" + port + " is listed twice");
      }
      int portNumber = 22;
      try {
        portNumber = Integer.parseInt(port);
        if (portNumber < 1 || portNumber > 65535) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        problems.add(
            at(m.get("port") != null ? m.get("port") : ssh.get("port"))
                + "port '"
                + port
                + "' is no TCP port");
      }
      String user = stringOr(m.get("user"), ssh.get("user"), "root");
      String key = stringOr(m.get("key"), ssh.get("key"), null);
      Path keyPath = null;
      if (key != null) {
        keyPath = base.resolve(expandHome(key));
        if (!Files.isReadable(keyPath)) {
          problems.add(
              at(m.get("key") != null ? m.get("key") : ssh.get("key"))
                  + "key file "
                  + keyPath
                  + " cannot be read");
        }
      }
      String sudoText =
          stringOr(m.get("sudo"), ssh.get("sudo"), String.valueOf(!"root".equals(user)));
      Boolean sudoValue = YamlReader.yamlBoolean(sudoText);
      if (sudoValue == null) {
        problems.add(
            at(m.get("sudo") != null ? m.get("sudo") : ssh.get("sudo"))
                + "sudo must be true or false, not '"
                + sudoText
                + "'");
      }
      boolean sudo = sudoValue == null ? !"root".equals(user) : sudoValue;
      String roleText = string(m, hm, "role", null, true);
      Role role = null;
      if (roleText != null) {
        switch (roleText) {
          case "server" -> role = Role.SERVER;
          case "agent" -> role = Role.AGENT;
          default ->
              problems.add(
                  at(m.get("role")) + "role '" + roleText + "' is neither server nor agent");
        }
      }
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.get("labels") instanceof MappingNode lm) {
        for (NodeTuple t : lm.getValue()) {
          labels.put(scalar(t.getKeyNode()), scalar(t.getValueNode()));
        }
      }
      List<String> taints = strings(m.get("taints"), "taints");
      for (String taint : taints) {
        if (!TAINT.matcher(taint).matches()) {
          problems.add(
              at(m.get("taints"))
                  + "taint '"
                  + taint
                  + "' is not key=value:Effect (NoSchedule, PreferNoSchedule or NoExecute)");
        }
      }
      boolean gpu = bool(m, hm, "gpu", false);
      hosts.add(
          new Host(
              name,
              address,
              portNumber,
              user,
              keyPath,
              sudo,
              role,
              Map.copyOf(labels),
              taints,
              gpu));
    }
    long servers = hosts.stream().filter(h -> h.role() == Role.SERVER).count();
    if (servers == 0) {
      problems.add(at(node) + "no host has role server; k3s needs at least one");
    } else if (servers > 1 && servers % 2 == 0) {
      warnings.add(
          servers
              + " servers: embedded etcd needs a majority, so "
              + servers
              + " survive no more failures than "
              + (servers - 1)
              + "; use an odd number (3, 5, 7)");
    }
    return hosts;
  }

  private Map<String, Node> keys(MappingNode node, String where, Set<String> known) {
    return yaml.keys(node, where, known);
  }

  private String string(
      Map<String, Node> m, Node parent, String key, String dflt, boolean required) {
    return yaml.string(m, parent, key, dflt, required);
  }

  private String stringOr(Node own, Node shared, String dflt) {
    Node n = own != null ? own : shared;
    return n instanceof ScalarNode s ? s.getValue() : dflt;
  }

  private List<String> strings(Node node, String what) {
    return yaml.strings(node, what);
  }

  private static String scalar(Node n) {
    return YamlReader.scalar(n);
  }

  private static String at(Node n) {
    return YamlReader.at(n);
  }

  private static String expandHome(String p) {
    return p.startsWith("~/") ? System.getProperty("user.home") + p.substring(1) : p;
  }

  /** The known key nearest to a misspelt one, or null. */
  public static String nearest(String word, Set<String> known) {
    return Nearest.to(word, known).orElse(null);
  }
}
