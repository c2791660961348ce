package io.kfboot.gpu;

import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.ImageCollector;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The cluster side of GPUs as a kfboot-owned component, installed by the same engine as Kubeflow:
 * the RuntimeClass {@code nvidia} and NVIDIA's device plugin DaemonSet at a pinned version, on the
 * nodes kfboot labels {@code nvidia.com/gpu.present=true}, running with that runtime. Shaped after
 * https://github.com/NVIDIA/k8s-device-plugin/blob/main/deployments/static/nvidia-device-plugin.yml
 */
public final class DevicePlugin {
  public static final String ID = "nvidia-device-plugin";
  public static final String VERSION = "v0.17.1";
  public static final String IMAGE = "nvcr.io/nvidia/k8s-device-plugin:" + VERSION;
  public static final String NAMESPACE = "kube-system";
  public static final String NAME = "nvidia-device-plugin-daemonset";

  private DevicePlugin() {}

  public static List<K8sObject> objects() {
    Map<String, Object> runtimeClass = map(
        "apiVersion", "node.k8s.io/v1", "kind", "RuntimeClass",
        "metadata", map("name", "nvidia", "labels", map("app.kubernetes.io/managed-by", "kfboot")),
        "handler", "nvidia");
    Map<String, Object> container = map(
        "name", "nvidia-device-plugin-ctr",
        "image", IMAGE,
        // keep running on a node whose GPUs are not usable yet, instead of crash-looping
        "env", List.of(map("name", "FAIL_ON_INIT_ERROR", "value", "false")),
        "securityContext", map("allowPrivilegeEscalation", false, "capabilities", map("drop", List.of("ALL"))),
        "volumeMounts", List.of(map("name", "kubelet-device-plugins-dir", "mountPath", "/var/lib/kubelet/device-plugins")));
    Map<String, Object> daemonSet = map(
        "apiVersion", "apps/v1", "kind", "DaemonSet",
        "metadata", map("name", NAME, "namespace", NAMESPACE, "labels", map("app.kubernetes.io/managed-by", "kfboot")),
        "spec", map(
            "selector", map("matchLabels", map("name", "nvidia-device-plugin-ds")),
            "updateStrategy", map("type", "RollingUpdate"),
            "template", map(
                "metadata", map("labels", map("name", "nvidia-device-plugin-ds")),
                "spec", map(
                    "runtimeClassName", "nvidia",
                    "nodeSelector", map("nvidia.com/gpu.present", "true"),
                    "tolerations", List.of(map("key", "nvidia.com/gpu", "operator", "Exists", "effect", "NoSchedule")),
                    "priorityClassName", "system-node-critical",
                    "containers", List.of(container),
                    "volumes", List.of(map("name", "kubelet-device-plugins-dir",
                        "hostPath", map("path", "/var/lib/kubelet/device-plugins", "type", "Directory")))))));
    return List.of(object(runtimeClass), object(daemonSet));
  }

  /** The plan with the device plugin added as a component of its own (it depends on nothing). */
  public static InstallPlan addTo(InstallPlan plan) {
    List<K8sObject> objects = objects();
    ComponentSpec spec = new ComponentSpec(ID, "NVIDIA device plugin " + VERSION + " and the nvidia RuntimeClass", List.of(),
        List.of(NAMESPACE), List.of(), List.of(new Gate(Gate.Type.DAEMONSET_READY, NAMESPACE + "/" + NAME, List.of())), true, false);
    PlannedComponent c = new PlannedComponent(spec, 0, objects, List.of(), new TreeSet<>(List.of(NAMESPACE)),
        ImageCollector.images(objects), ResourceRequests.of(objects), List.of());
    List<PlannedComponent> components = new ArrayList<>(plan.components());
    components.add(0, c);
    return new InstallPlan(plan.tree(), plan.kustomize(), components, plan.warnings());
  }

  private static K8sObject object(Map<String, Object> body) {
    Map<?, ?> meta = (Map<?, ?>) body.get("metadata");
    @SuppressWarnings("unchecked")
    Map<String, String> labels = (Map<String, String>) meta.get("labels");
    return new K8sObject((String) body.get("apiVersion"), (String) body.get("kind"), (String) meta.get("namespace"), (String) meta.get("name"), labels, body);
  }

  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }
}
