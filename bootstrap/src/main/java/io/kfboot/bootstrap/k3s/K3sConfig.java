package io.kfboot.bootstrap.k3s;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Host;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.inventory.Inventory.StorageMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** registries.yaml: mirrors and auth; passwords are read from the environment at render time. */
  public static String registries(Inventory.Registries r, Map<String, String> env) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (!r.mirrors().isEmpty()) {
      Map<String, Object> mirrors = new LinkedHashMap<>();
      r.mirrors()
          .forEach((registry, endpoints) -> mirrors.put(registry, Map.of("endpoint", endpoints)));
      out.put("mirrors", mirrors);
    }
    if (!r.auth().isEmpty()) {
      Map<String, Object> configs = new LinkedHashMap<>();
      r.auth()
          .forEach(
              (registry, auth) -> {
                String password = env.get(auth.passwordEnv());
                if (password == null) {
                  throw new IllegalArgumentException(
                      "environment variable "
                          + auth.passwordEnv()
                          + " (the password for "
                          + registry
                          + ") is not set");
                }
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("username", auth.username());
                a.put("password", password);
                configs.put(registry, Map.of("auth", a));
              });
      out.put("configs", configs);
    }
    return dump(out);
  }

  static String dump(Map<String, Object> m) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    o.setIndicatorIndent(0);
    return new Yaml(o).dump(m);
  }
}
