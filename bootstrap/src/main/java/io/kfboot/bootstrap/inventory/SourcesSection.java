package io.kfboot.bootstrap.inventory;

import io.kfboot.bootstrap.inventory.Inventory.Airgap;
import io.kfboot.bootstrap.inventory.Inventory.Mirror;
import io.kfboot.bootstrap.inventory.Inventory.Registries;
import io.kfboot.bootstrap.inventory.Inventory.RegistryAuth;
import io.kfboot.bootstrap.inventory.Inventory.RegistryTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/** {@code registries:} and {@code airgap:}: where images and k3s come from. */
final class SourcesSection extends InventorySection {
  SourcesSection(InventorySection file) {
    super(file);
  }

  /**
   * What k3s imports from agent/images (https://docs.k3s.io/installation/airgap; the suffixes
   * k3s-io/k3s pkg/agent/containerd's preload switch tells apart): image tarballs, compressed or
   * not, and text files listing images to pull.
   */
  static final List<String> IMAGE_ARCHIVE =
      List.of(
          ".tar", ".tar.gz", ".tgz", ".tar.zst", ".tzst", ".tar.lz4", ".tar.bz2", ".tbz", ".txt");

  /** A registry host as registries.yaml keys it: host[:port], no scheme, no path. */
  static final Pattern REGISTRY_HOST =
      Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?");

  Registries registries(Node node) {
    if (node == null) {
      return Registries.NONE;
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(at(node) + "registries must be a mapping with mirrors, auth and tls");
      return Registries.NONE;
    }
    Map<String, Node> m =
        keys(
            mn,
            "registries",
            Set.of("mirrors", "auth", "tls", "disableDefaultEndpoint", "embeddedRegistry"));
    boolean disableDefault = bool(m, mn, "disableDefaultEndpoint", false);
    boolean embedded = bool(m, mn, "embeddedRegistry", false);
    Map<String, Mirror> mirrors = new LinkedHashMap<>();
    if (m.get("mirrors") instanceof MappingNode mm) {
      for (NodeTuple t : mm.getValue()) {
        String registry = scalar(t.getKeyNode());
        Mirror mirror = mirror(registry, t.getValueNode(), embedded);
        if (!"*".equals(registry) && !REGISTRY_HOST.matcher(registry).matches()) {
          problems.add(
              at(t.getKeyNode())
                  + "registries.mirrors."
                  + registry
                  + " is no registry name: give it as images name it (docker.io, ghcr.io,"
                  + " registry.k8s.io, mirror.lab.example:5000) or \"*\" for every registry");
        }
        mirrors.put(registry, mirror);
      }
    } else if (m.get("mirrors") != null) {
      problems.add(at(m.get("mirrors")) + "registries.mirrors must map registries to endpoints");
    }
    Map<String, RegistryAuth> auth = new LinkedHashMap<>();
    if (m.get("auth") instanceof MappingNode am) {
      for (NodeTuple t : am.getValue()) {
        String host = registryHost(t.getKeyNode(), "auth");
        if (t.getValueNode() instanceof MappingNode an) {
          Map<String, Node> a =
              keys(an, "registries.auth." + host, Set.of("username", "passwordEnv", "tokenEnv"));
          String user = string(a, an, "username", null, false);
          String passwordEnv = envName(a, an, "passwordEnv", host);
          String tokenEnv = envName(a, an, "tokenEnv", host);
          if ((passwordEnv == null) == (tokenEnv == null)
              || (passwordEnv != null) != (user != null)) {
            problems.add(
                at(an)
                    + "registries.auth."
                    + host
                    + " needs either username and passwordEnv, or tokenEnv");
          }
          auth.put(host, new RegistryAuth(user, passwordEnv, tokenEnv));
        } else {
          problems.add(
              at(t.getValueNode())
                  + "registries.auth entries need username and passwordEnv, or tokenEnv");
        }
      }
    }
    Map<String, RegistryTls> tls = new LinkedHashMap<>();
    if (m.get("tls") instanceof MappingNode tm) {
      for (NodeTuple t : tm.getValue()) {
        String host = registryHost(t.getKeyNode(), "tls");
        if (t.getValueNode() instanceof MappingNode tn) {
          String where = "registries.tls." + host;
          Map<String, Node> f =
              keys(tn, where, Set.of("caFile", "certFile", "keyFile", "insecureSkipVerify"));
          Path ca = readable(f, tn, "caFile", where, false);
          Path cert = readable(f, tn, "certFile", where, false);
          Path key = readable(f, tn, "keyFile", where, false);
          if ((cert == null) != (key == null)) {
            problems.add(at(tn) + where + ": a client certificate needs certFile and keyFile");
          }
          tls.put(host, new RegistryTls(ca, cert, key, bool(f, tn, "insecureSkipVerify", false)));
        } else {
          problems.add(
              at(t.getValueNode())
                  + "registries.tls entries name caFile, certFile and keyFile, or"
                  + " insecureSkipVerify");
        }
      }
    }
    if (disableDefault && mirrors.isEmpty()) {
      problems.add(
          at(m.get("disableDefaultEndpoint"))
              + "registries.disableDefaultEndpoint without mirrors leaves no endpoint at all:"
              + " list the mirrors, or drop it");
    }
    if (embedded && mirrors.isEmpty()) {
      problems.add(
          at(m.get("embeddedRegistry"))
              + "registries.embeddedRegistry shares only the registries listed under mirrors"
              + " (https://docs.k3s.io/installation/registry-mirror): list them, e.g."
              + " mirrors: {docker.io: {}, registry.k8s.io: {}}");
    }
    return new Registries(mirrors, auth, tls, disableDefault, embedded);
  }

  /** A mirror as a list of endpoints, or as endpoints and rewrite. */
  private Mirror mirror(String registry, Node value, boolean embedded) {
    String where = "registries.mirrors." + registry;
    List<String> endpoints;
    Map<String, String> rewrite = new LinkedHashMap<>();
    if (value instanceof MappingNode vm) {
      Map<String, Node> f = keys(vm, where, Set.of("endpoints", "rewrite"));
      endpoints = f.get("endpoints") == null ? List.of() : strings(f.get("endpoints"), where);
      if (f.get("rewrite") instanceof MappingNode rm) {
        for (NodeTuple r : rm.getValue()) {
          String regex = scalar(r.getKeyNode());
          try {
            Pattern.compile(regex);
          } catch (PatternSyntaxException e) {
            problems.add(
                at(r.getKeyNode())
                    + where
                    + ".rewrite: '"
                    + regex
                    + "' is no regular expression: "
                    + e.getDescription());
          }
          rewrite.put(regex, scalar(r.getValueNode()));
        }
      }
    } else {
      endpoints = strings(value, where);
    }
    for (String e : endpoints) {
      if (!e.startsWith("https://") && !e.startsWith("http://")) {
        problems.add(
            at(value)
                + where
                + ": endpoint '"
                + e
                + "' has no scheme: write https://"
                + e
                + " (or http:// for a plain-HTTP registry; k3s assumes nothing)");
      }
    }
    if (endpoints.isEmpty() && !embedded) {
      problems.add(
          at(value)
              + where
              + " has no endpoints"
              + (rewrite.isEmpty() ? "" : " (k3s ignores a rewrite without one)")
              + ": give endpoints, or set registries.embeddedRegistry to share it between nodes");
    }
    return new Mirror(List.copyOf(endpoints), Map.copyOf(rewrite));
  }

  private String registryHost(Node key, String section) {
    String host = scalar(key);
    if (!REGISTRY_HOST.matcher(host).matches()) {
      problems.add(
          at(key)
              + "registries."
              + section
              + "."
              + host
              + " must be a registry host as endpoints name it (mirror.lab.example:5000), without"
              + " scheme or path");
    }
    return host;
  }

  private String envName(Map<String, Node> m, Node parent, String key, String host) {
    String v = string(m, parent, key, null, false);
    if (v != null && !ENV_NAME.matcher(v).matches()) {
      problems.add(
          at(m.get(key))
              + "registries.auth."
              + host
              + "."
              + key
              + " names an environment variable: '"
              + v
              + "' is not one (the secret itself never goes in the inventory)");
    }
    return v;
  }

  /** A local file the inventory names under {@code where.key}, and a problem where unreadable. */
  private Path readable(
      Map<String, Node> m, Node parent, String key, String where, boolean required) {
    String v = string(m, parent, key, null, required);
    if (v == null) {
      return null;
    }
    Path p = base.resolve(expandHome(v));
    if (!Files.isReadable(p)) {
      problems.add(at(m.get(key)) + where + "." + key + " " + p + " cannot be read");
    }
    return p;
  }

  Airgap airgap(Node node) {
    if (node == null) {
      return null;
    }
    if (!(node instanceof MappingNode mn)) {
      problems.add(at(node) + "airgap must be a mapping with k3sBinary, images and installScript");
      return null;
    }
    Map<String, Node> m =
        keys(mn, "airgap", Set.of("k3sBinary", "images", "installScript", "imageArchives"));
    Path binary = readable(m, mn, "k3sBinary", "airgap", true);
    Path images = readable(m, mn, "images", "airgap", true);
    Path script = readable(m, mn, "installScript", "airgap", true);
    List<Path> archives = new ArrayList<>();
    if (m.get("imageArchives") != null) {
      for (String a : strings(m.get("imageArchives"), "airgap.imageArchives")) {
        Path p = base.resolve(expandHome(a));
        String name = p.getFileName().toString();
        if (IMAGE_ARCHIVE.stream().noneMatch(name::endsWith)) {
          problems.add(
              at(m.get("imageArchives"))
                  + "airgap.imageArchives: "
                  + name
                  + " is not an archive k3s imports: give "
                  + String.join(", ", IMAGE_ARCHIVE)
                  + " (docker save / skopeo / crane write them), or a .txt list of images to pull");
        } else if (!Files.isReadable(p)) {
          problems.add(
              at(m.get("imageArchives")) + "airgap.imageArchives " + p + " cannot be read");
        } else if (archives.stream().anyMatch(x -> x.getFileName().toString().equals(name))) {
          problems.add(
              at(m.get("imageArchives"))
                  + "airgap.imageArchives: two archives are named "
                  + name
                  + "; they would land on one file on the nodes");
        }
        archives.add(p);
      }
    }
    return new Airgap(binary, images, script, archives);
  }
}
