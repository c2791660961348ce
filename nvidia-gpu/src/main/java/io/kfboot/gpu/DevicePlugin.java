package io.kfboot.gpu;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.core.Digests;
import io.kfboot.core.ObjectTemplate;
import io.kfboot.manifests.parse.ImageCollector;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import java.util.ArrayList;
import java.util.List;
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
    ObjectTemplate template = ObjectTemplate.load(DevicePlugin.class, "device-plugin.yaml");
    return List.of(
        K8sObject.of(template.object("RuntimeClass", "nvidia").done()),
        K8sObject.of(template.object("ConfigMap", CONFIG_MAP).data("config.yaml", config).done()),
        K8sObject.of(
            template
                .object("DaemonSet", NAME)
                .image("nvidia-device-plugin-ctr", IMAGE)
                // the plugin reads its file once: a new configuration must roll the pods
                .podAnnotation("kfboot.io/config-sha256", Digests.sha256Hex(config))
                .done()));
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
}
