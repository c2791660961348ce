package io.kfboot.components.k3s;

import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import java.util.List;
import java.util.Map;

/**
 * Points the Istio CNI node agent at k3s' CNI folders. Upstream mounts {@code /opt/cni/bin} and
 * {@code /etc/cni/net.d}; k3s keeps its CNI binaries and config under {@code /var/lib/rancher/k3s},
 * so without this the agent installs a plugin the kubelet never calls and sidecar traffic is not
 * redirected.
 */
public final class IstioCniK3sPaths implements K3sAdaptation {
  static final String K3S_CNI_BIN = "/var/lib/rancher/k3s/data/current/bin";
  static final String K3S_CNI_CONF = "/var/lib/rancher/k3s/agent/etc/cni/net.d";

  @Override
  public String id() {
    return "k3s-istio-cni-paths";
  }

  @Override
  public String description() {
    return "istio-cni-node mounts k3s' CNI folders (" + K3S_CNI_BIN + ", " + K3S_CNI_CONF + ")";
  }

  @Override
  public String component() {
    return "istio-install";
  }

  @Override
  public String reference() {
    return "https://istio.io/latest/docs/ambient/install/platform-prerequisites/#k3s";
  }

  @Override
  public boolean concerns(K8sObject o) {
    return o.kind().equals("DaemonSet") && o.name().equals("istio-cni-node");
  }

  @Override
  public boolean appliesTo(K8sObject o) {
    return concerns(o)
        && volumes(o.body()).stream()
            .anyMatch(
                v -> {
                  String wanted = k3sPath(Trees.map(v));
                  return wanted != null
                      && !wanted.equals(Trees.map(Trees.map(v).get("hostPath")).get("path"));
                });
  }

  @Override
  public K8sObject apply(K8sObject o) {
    Map<String, Object> body = Trees.deepCopy(o.body());
    for (Object v : volumes(body)) {
      Map<String, Object> volume = Trees.map(v);
      String wanted = k3sPath(volume);
      if (wanted != null) {
        Trees.map(volume.get("hostPath")).put("path", wanted);
      }
    }
    return Trees.withBody(o, body);
  }

  /** The k3s folder for one of upstream's CNI hostPath volumes, or null for any other volume. */
  private static String k3sPath(Map<String, Object> volume) {
    if (Trees.map(volume.get("hostPath")).isEmpty()) {
      return null;
    }
    return switch (String.valueOf(volume.get("name"))) {
      case "cni-bin-dir" -> K3S_CNI_BIN;
      case "cni-net-dir" -> K3S_CNI_CONF;
      default -> null;
    };
  }

  private static List<?> volumes(Map<String, Object> body) {
    Object v =
        Trees.map(Trees.map(Trees.map(body.get("spec")).get("template")).get("spec"))
            .get("volumes");
    return v instanceof List<?> l ? l : List.of();
  }
}
