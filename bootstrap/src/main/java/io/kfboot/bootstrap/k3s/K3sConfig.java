package io.kfboot.bootstrap.k3s;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.inventory.Inventory.StorageMode;
import io.kfboot.bootstrap.inventory.InventoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The content of {@code /etc/rancher/k3s/config.yaml} for one host: a pure function of the
 * inventory, so it is tested with golden files. The token is never in it: k3s reads it from {@value
 * #TOKEN_FILE} (0600). See https://docs.k3s.io/installation/configuration#configuration-file
 */
public final class K3sConfig {
  public static final String PATH = "/etc/rancher/k3s/config.yaml";
  public static final String TOKEN_FILE = "/etc/rancher/k3s/kfboot-token";
  public static final String REGISTRIES_PATH = "/etc/rancher/k3s/registries.yaml";

  private K3sConfig() {}

  /**
   * @param first whether this is the server that initialises the cluster (embedded etcd)
   * @param joinUrl the API URL other nodes join through (https://endpoint:6443)
   */
  public static String render(Inventory inv, Host host, boolean first, String joinUrl) {
    return render(inv, host, first, joinUrl, Map.of());
  }

  /**
   * @param discoveredLabels node labels found on the host by earlier steps (the GPU count that
   *     nvidia-smi reports), added to the inventory's
   */
  public static String render(
      Inventory inv,
      Host host,
      boolean first,
      String joinUrl,
      Map<String, String> discoveredLabels) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("node-name", host.name());
    c.put("token-file", TOKEN_FILE);
    if (host.role() == Role.SERVER) {
      if (first && inv.servers().size() > 1) {
        c.put("cluster-init", true); // embedded etcd, so that more servers can join
      }
      if (!first) {
        c.put("server", joinUrl);
      }
      c.put("write-kubeconfig-mode", "0600");
      List<String> san = new ArrayList<>();
      if (inv.k3s().apiEndpoint() != null) {
        san.add(inv.k3s().apiEndpoint());
      }
      san.addAll(inv.k3s().tlsSan());
      if (!san.isEmpty()) {
        c.put("tls-san", san);
      }
      // Istio's ingress gateway serves Kubeflow; k3s' Traefik would hold ports 80/443.
      List<String> disable = new ArrayList<>(List.of("traefik"));
      if (inv.storage().mode() != StorageMode.LOCAL_PATH) {
        // k3s re-applies its local-path StorageClass, marked default, at every start; with another
        // default class that makes two.
        // https://docs.k3s.io/storage#setting-up-the-local-storage-provider
        disable.add("local-storage");
      } else if (inv.storage().localPath() != null) {
        c.put("default-local-storage-path", inv.storage().localPath());
      }
      c.put("disable", disable);
      if (inv.registries().embeddedRegistry()) {
        // Spegel: every node serves what it pulled to the others, for the registries under
        // mirrors (https://docs.k3s.io/installation/registry-mirror); set on servers only
        c.put("embedded-registry", true);
      }
    } else {
      c.put("server", joinUrl);
    }
    if (inv.containerRuntime().equals("docker")) {
      c.put("docker", true);
    } else if (host.gpu() && !inv.nvidia().operator()) {
      // (With the GPU Operator, its toolkit makes nvidia containerd's default itself.)
      // k3s finds nvidia-container-runtime (installed by the GPU steps) and registers it as the
      // "nvidia" runtime; as the default, Kubeflow's pods get GPUs without a runtimeClassName.
      // https://github.com/k3s-io/k3s/issues/9702 (--default-runtime, agent/runtime flags)
      c.put("default-runtime", "nvidia");
    }
    if (inv.registries().disableDefaultEndpoint()) {
      // pulls of a mirrored registry never fall back to it: an air-gapped site sees a failed pull
      // at once instead of a timeout (https://docs.k3s.io/installation/private-registry)
      c.put("disable-default-registry-endpoint", true);
    }
    List<String> labels = new ArrayList<>();
    host.labels().forEach((k, v) -> labels.add(k + "=" + v));
    if (host.gpu()) {
      labels.add("nvidia.com/gpu.present=true");
    }
    discoveredLabels.forEach((k, v) -> labels.add(k + "=" + v));
    if (!labels.isEmpty()) {
      c.put("node-label", labels);
    }
    if (!host.taints().isEmpty()) {
      c.put("node-taint", host.taints());
    }
    return "# Written by kfboot; changes here are overwritten by 'kfboot hosts up'.\n" + dump(c);
  }

  /** Where a registry's certificates go on each node, one folder per registry host. */
  public static final String REGISTRY_TLS_DIR = "/etc/rancher/k3s/kfboot-registry-tls";

  /**
   * A certificate file kfboot copies to every node for registries.yaml to name.
   *
   * @param registry the registry host it is for
   * @param field its key in registries.yaml's tls block (ca_file, cert_file, key_file)
   * @param local the file on this machine
   * @param node where it goes on each node
   */
  public record TlsFile(String registry, String field, Path local, String node, int mode) {}

  /** The certificate files of the inventory's registries.tls, in order. */
  public static List<TlsFile> tlsFiles(Inventory.Registries r) {
    List<TlsFile> files = new ArrayList<>();
    r.tls()
        .forEach(
            (registry, tls) -> {
              String dir = REGISTRY_TLS_DIR + "/" + registry.replace(':', '_');
              if (tls.caFile() != null) {
                files.add(new TlsFile(registry, "ca_file", tls.caFile(), dir + "/ca.crt", 0644));
              }
              if (tls.certFile() != null) {
                files.add(
                    new TlsFile(registry, "cert_file", tls.certFile(), dir + "/client.crt", 0644));
              }
              if (tls.keyFile() != null) {
                files.add(
                    new TlsFile(registry, "key_file", tls.keyFile(), dir + "/client.key", 0600));
              }
            });
    return files;
  }

  /**
   * registries.yaml: mirrors, rewrites, credentials and certificates
   * (https://docs.k3s.io/installation/private-registry); the same bytes on every node. Secrets are
   * read from the environment here; a missing one is an inventory error before any host is reached.
   */
  public static String registries(Inventory.Registries r, Map<String, String> env) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (!r.mirrors().isEmpty()) {
      Map<String, Object> mirrors = new LinkedHashMap<>();
      r.mirrors()
          .forEach(
              (registry, mirror) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                if (!mirror.endpoints().isEmpty()) {
                  m.put("endpoint", mirror.endpoints());
                }
                if (!mirror.rewrite().isEmpty()) {
                  m.put("rewrite", new TreeMap<>(mirror.rewrite()));
                }
                mirrors.put(registry, m);
              });
      out.put("mirrors", mirrors);
    }
    Map<String, Map<String, Object>> configs = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    r.auth()
        .forEach(
            (registry, auth) -> {
              Map<String, Object> a = new LinkedHashMap<>();
              if (auth.tokenEnv() != null) {
                a.put("token", secret(env, auth.tokenEnv(), registry, missing));
              } else {
                a.put("username", auth.username());
                a.put("password", secret(env, auth.passwordEnv(), registry, missing));
              }
              configs.computeIfAbsent(registry, k -> new LinkedHashMap<>()).put("auth", a);
            });
    r.tls()
        .forEach(
            (registry, tls) -> {
              Map<String, Object> t = new LinkedHashMap<>();
              // the paths the certificates are copied to (k3s-registry-tls)
              tlsFiles(r).stream()
                  .filter(f -> f.registry().equals(registry))
                  .forEach(f -> t.put(f.field(), f.node()));
              if (tls.insecureSkipVerify()) {
                t.put("insecure_skip_verify", true);
              }
              configs.computeIfAbsent(registry, k -> new LinkedHashMap<>()).put("tls", t);
            });
    if (!missing.isEmpty()) {
      throw new InventoryException(
          "registries",
          missing.stream()
              .map(
                  m ->
                      "environment variable "
                          + m
                          + " is not set; export it before running kfboot (its value never goes"
                          + " in the inventory)")
              .toList());
    }
    if (!configs.isEmpty()) {
      out.put("configs", configs);
    }
    return out.isEmpty() ? "" : dump(out);
  }

  private static String secret(
      Map<String, String> env, String name, String registry, List<String> missing) {
    String v = env.get(name);
    if (v == null || v.isEmpty()) {
      missing.add(name + " (the credential for " + registry + ")");
      return "";
    }
    return v;
  }

  static String dump(Map<String, Object> m) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setIndicatorIndent(0);
    return new Yaml(o).dump(m);
  }
}
