package io.kfboot.gpu;

import static io.kfboot.manifests.parse.K8sObject.map;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.ImageCollector;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The cluster side of GPUs as a kfboot-owned component, installed by the same engine as Kubeflow:
 * the RuntimeClass {@code nvidia}, the device plugin's configuration (time-slicing) and NVIDIA's
 * device plugin DaemonSet at a pinned version, on the nodes kfboot labels {@code
 * nvidia.com/gpu.present=true}, running with that runtime. Shaped after
 * https://github.com/NVIDIA/k8s-device-plugin/blob/main/deployments/static/nvidia-device-plugin.yml
 * and its configuration file format (docs/customizing.md there). Its readiness is the DaemonSet's
 * and then {@link GpuChecks#allocatable}: every GPU node offers the GPUs nvidia-smi counted.
 *
 * <p>With the GPU Operator ({@code nvidia.operator: true}) the component has no objects, only that
 * check: the operator owns toolkit and plugin.
 */
public final class DevicePlugin {
  public static final String ID = "nvidia-device-plugin";
  public static final String VERSION = "v0.17.1";
  public static final String IMAGE = "nvcr.io/nvidia/k8s-device-plugin:" + VERSION;
  public static final String NAMESPACE = "kube-system";
  public static final String NAME = "nvidia-device-plugin-daemonset";
  public static final String CONFIG_MAP = "nvidia-device-plugin-config";
  static final String CONFIG_DIR = "/etc/nvidia-device-plugin";

  private DevicePlugin() {}

  /** The plugin's configuration file: no sharing, or time-slicing with this many pods per GPU. */
  public static String config(int timeSlicing) {
    StringBuilder b = new StringBuilder("version: v1\nflags:\n  migStrategy: none\n");
    // keep running on a node whose GPUs are not usable yet, instead of crash-looping
    b.append("  failOnInitError: false\n");
    if (timeSlicing > 1) {
      b.append(
              "sharing:\n"
                  + "  timeSlicing:\n"
                  + "    resources:\n"
                  + "    - name: nvidia.com/gpu\n"
                  + "      replicas: ")
          .append(timeSlicing)
          .append('\n');
    }
    return b.toString();
  }

  /**
   * @param timeSlicing pods per GPU; 1 for none
   */
  public static List<K8sObject> objects(int timeSlicing) {
    String config = config(timeSlicing);
    Map<String, Object> managed = map("app.kubernetes.io/managed-by", "kfboot");
    Map<String, Object> runtimeClass =
        map(
            "apiVersion",
            "node.k8s.io/v1",
            "kind",
            "RuntimeClass",
            "metadata",
            map("name", "nvidia", "labels", managed),
            "handler",
            "nvidia");
    Map<String, Object> configMap =
        map(
            "apiVersion",
            "v1",
            "kind",
            "ConfigMap",
            "metadata",
            map("name", CONFIG_MAP, "namespace", NAMESPACE, "labels", managed),
            "data",
            map("config.yaml", config));
    Map<String, Object> container =
        map(
            "name", "nvidia-device-plugin-ctr",
            "image", IMAGE,
            "env", List.of(map("name", "CONFIG_FILE", "value", CONFIG_DIR + "/config.yaml")),
            "securityContext",
                map("allowPrivilegeEscalation", false, "capabilities", map("drop", List.of("ALL"))),
            "volumeMounts",
                List.of(
                    map(
                        "name",
                        "kubelet-device-plugins-dir",
                        "mountPath",
                        "/var/lib/kubelet/device-plugins"),
                    map("name", "config", "mountPath", CONFIG_DIR, "readOnly", true)));
    Map<String, Object> daemonSet =
        map(
            "apiVersion",
            "apps/v1",
            "kind",
            "DaemonSet",
            "metadata",
            map("name", NAME, "namespace", NAMESPACE, "labels", managed),
            "spec",
            map(
                "selector", map("matchLabels", map("name", "nvidia-device-plugin-ds")),
                "updateStrategy", map("type", "RollingUpdate"),
                "template",
                    map(
                        // the plugin reads its file once: a new configuration must roll the pods
                        "metadata",
                            map(
                                "labels",
                                map("name", "nvidia-device-plugin-ds"),
                                "annotations",
                                map("kfboot.io/config-sha256", sha256(config))),
                        "spec",
                            map(
                                "runtimeClassName", "nvidia",
                                "nodeSelector", map("nvidia.com/gpu.present", "true"),
                                "tolerations",
                                    List.of(
                                        map(
                                            "key",
                                            "nvidia.com/gpu",
                                            "operator",
                                            "Exists",
                                            "effect",
                                            "NoSchedule")),
                                "priorityClassName", "system-node-critical",
                                "containers", List.of(container),
                                "volumes",
                                    List.of(
                                        map(
                                            "name",
                                            "kubelet-device-plugins-dir",
                                            "hostPath",
                                            map(
                                                "path",
                                                "/var/lib/kubelet/device-plugins",
                                                "type",
                                                "Directory")),
                                        map(
                                            "name",
                                            "config",
                                            "configMap",
                                            map("name", CONFIG_MAP)))))));
    return List.of(K8sObject.of(runtimeClass), K8sObject.of(configMap), K8sObject.of(daemonSet));
  }

  /** The plan with the device plugin added as a component of its own, without time-slicing. */
  public static InstallPlan addTo(InstallPlan plan) {
    return addTo(plan, Inventory.Nvidia.DEFAULTS);
  }

  /** The plan with the GPU component added first (it depends on nothing). */
  public static InstallPlan addTo(InstallPlan plan, Inventory.Nvidia nvidia) {
    List<K8sObject> objects = nvidia.operator() ? List.of() : objects(nvidia.timeSlicing());
    String description =
        nvidia.operator()
            ? "GPUs from the NVIDIA GPU Operator (installed by the site): checked, not installed"
            : "NVIDIA device plugin "
                + VERSION
                + " and the nvidia RuntimeClass"
                + (nvidia.timeSlicing() > 1 ? ", " + nvidia.timeSlicing() + " pods per GPU" : "");
    List<Gate> gates =
        nvidia.operator()
            ? List.of()
            : List.of(new Gate(Gate.Type.DAEMONSET_READY, NAMESPACE + "/" + NAME, List.of()));
    ComponentSpec spec =
        new ComponentSpec(
            ID, description, List.of(), List.of(NAMESPACE), List.of(), gates, true, false);
    PlannedComponent c =
        new PlannedComponent(
            spec,
            0,
            objects,
            List.of(),
            new TreeSet<>(List.of(NAMESPACE)),
            ImageCollector.images(objects),
            ResourceRequests.of(objects),
            List.of(),
            List.of(GpuChecks.allocatable(nvidia.timeSlicing())));
    List<PlannedComponent> components = new ArrayList<>(plan.components());
    components.add(0, c);
    return new InstallPlan(plan.tree(), plan.kustomize(), components, plan.warnings());
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
