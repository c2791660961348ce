package io.kfboot.storage;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.bootstrap.inventory.Inventory.StaticVolume;
import io.kfboot.bootstrap.inventory.Inventory.Storage;
import io.kfboot.bootstrap.inventory.Inventory.StorageMode;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.plan.ClusterCheck;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.ImageCollector;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The cluster's default storage as a kfboot-owned component, installed by the same engine as
 * Kubeflow and ahead of it: every component of the release depends on it, so none starts before a
 * probe claim of the default class has bound. Its objects depend on the mode; its checks are the
 * same for all: one default class ({@link DefaultClassCheck}), then the probe ({@link
 * ProbeVolumeCheck}).
 */
public final class StorageComponent {
  public static final String ID = "storage";

  /** The fixed volume nfs-static reserves for the probe claim, and its directory on the export. */
  public static final String PROBE_VOLUME = "kfboot-storage-probe";

  static final String PROBE_VOLUME_DIR = ".kfboot-probe";

  private StorageComponent() {}

  /**
   * What the mode installs.
   *
   * @param bundledLocalPath whether the cluster already runs k3s' local-path provisioner; then
   *     local-path mode installs nothing and only makes its class the one default
   */
  public static List<K8sObject> objects(Storage storage, boolean bundledLocalPath) {
    return switch (storage.mode()) {
      case LOCAL_PATH -> bundledLocalPath ? List.of() : Provisioners.localPath(storage.localPath());
      case NFS -> Provisioners.nfs(storage.nfs());
      case NFS_STATIC -> Provisioners.nfsStatic(storage.nfs());
      case EXISTING -> List.of();
    };
  }

  /** The class that must end up the only default; null in existing mode (any single one). */
  public static String defaultClass(StorageMode mode) {
    return switch (mode) {
      case LOCAL_PATH -> Provisioners.LOCAL_PATH_CLASS;
      case NFS -> Provisioners.NFS_CLASS;
      case NFS_STATIC -> Provisioners.STATIC_CLASS;
      case EXISTING -> null;
    };
  }

  /**
   * Whether the cluster runs k3s' own local-path provisioner (k3s without --disable local-storage).
   */
  public static boolean hasBundledLocalPath(KubernetesClient client) {
    StorageClass sc =
        client.storage().v1().storageClasses().withName(Provisioners.LOCAL_PATH_CLASS).get();
    return sc != null
        && Provisioners.LOCAL_PATH_PROVISIONER.equals(sc.getProvisioner())
        && client
                .apps()
                .deployments()
                .inNamespace("kube-system")
                .withName("local-path-provisioner")
                .get()
            != null;
  }

  public static String describe(Storage storage, boolean bundledLocalPath) {
    return switch (storage.mode()) {
      case LOCAL_PATH ->
          bundledLocalPath
              ? "k3s' bundled local-path provisioner as the default StorageClass"
              : "local-path-provisioner "
                  + Provisioners.LOCAL_PATH_VERSION
                  + " as the default StorageClass, volumes in "
                  + (storage.localPath() == null
                      ? Provisioners.LOCAL_PATH_DEFAULT_DIR
                      : storage.localPath());
      case NFS ->
          "nfs-subdir-external-provisioner "
              + Provisioners.NFS_VERSION
              + " on "
              + storage.nfs().address()
              + ":"
              + storage.nfs().path()
              + " as the default StorageClass";
      case NFS_STATIC ->
          storage.nfs().volumes().size()
              + " fixed NFS volumes on "
              + storage.nfs().address()
              + ":"
              + storage.nfs().path()
              + " in the default StorageClass "
              + Provisioners.STATIC_CLASS;
      case EXISTING -> "the cluster's own default StorageClass, checked";
    };
  }

  /**
   * The plan with the storage component first and every component of the release depending on it.
   * Components kfboot adds itself (the device plugin) do not wait for it.
   */
  public static InstallPlan addTo(InstallPlan plan, Storage storage, boolean bundledLocalPath) {
    List<K8sObject> objects = objects(storage, bundledLocalPath);
    List<Gate> gates = new ArrayList<>();
    if (storage.mode() == StorageMode.NFS) {
      gates.add(
          new Gate(
              Gate.Type.DEPLOYMENT_AVAILABLE,
              Provisioners.NFS_NAMESPACE + "/" + Provisioners.NFS_DEPLOYMENT,
              List.of()));
    } else if (storage.mode() == StorageMode.LOCAL_PATH && !bundledLocalPath) {
      gates.add(
          new Gate(
              Gate.Type.DEPLOYMENT_AVAILABLE,
              Provisioners.LOCAL_PATH_NAMESPACE + "/local-path-provisioner",
              List.of()));
    }
    SortedSet<String> namespaces = new TreeSet<>();
    objects.stream().filter(o -> o.namespace() != null).forEach(o -> namespaces.add(o.namespace()));
    objects.stream().filter(K8sObject::isNamespace).forEach(o -> namespaces.add(o.name()));
    namespaces.add(ProbeVolumeCheck.NAMESPACE);
    List<ClusterCheck> checks =
        List.of(
            new DefaultClassCheck(defaultClass(storage.mode())),
            new ProbeVolumeCheck(
                storage.mode() == StorageMode.NFS_STATIC
                    ? Provisioners.staticVolume(
                            PROBE_VOLUME,
                            "1Mi",
                            storage.nfs(),
                            storage.nfs().path() + "/" + PROBE_VOLUME_DIR,
                            ProbeVolumeCheck.NAMESPACE + "/" + ProbeVolumeCheck.NAME)
                        .body()
                    : null));
    ComponentSpec spec =
        new ComponentSpec(
            ID,
            describe(storage, bundledLocalPath),
            List.of(),
            List.copyOf(namespaces),
            List.of(),
            gates,
            false,
            true);
    SortedSet<String> images = new TreeSet<>(ImageCollector.images(objects));
    images.add(Provisioners.BUSYBOX_IMAGE); // the probe pod
    PlannedComponent component =
        new PlannedComponent(
            spec,
            0,
            objects,
            List.of(),
            namespaces,
            images,
            ResourceRequests.of(objects),
            List.of(),
            checks);

    List<PlannedComponent> components = new ArrayList<>();
    components.add(component);
    for (PlannedComponent c : plan.components()) {
      // kfboot's own components render no kustomize path of the release
      boolean fromRelease = !c.spec().paths().isEmpty();
      if (!fromRelease) {
        components.add(c);
        continue;
      }
      List<String> deps = new ArrayList<>(c.spec().dependsOn());
      deps.add(ID);
      ComponentSpec s = c.spec();
      components.add(
          c.withSpec(
                  new ComponentSpec(
                      s.id(),
                      s.description(),
                      s.paths(),
                      s.namespaces(),
                      deps,
                      s.gates(),
                      s.optional(),
                      s.defaultEnabled()))
              .withWave(c.wave() + 1));
    }
    List<String> warnings = new ArrayList<>(plan.warnings());
    if (storage.mode() == StorageMode.NFS_STATIC) {
      warnings.addAll(unmatchedClaims(plan, storage.nfs().volumes()));
    }
    return new InstallPlan(plan.tree(), plan.kustomize(), components, warnings);
  }

  /**
   * With fixed volumes, the claims of the plan that no volume would hold, matched as the binder
   * does (each claim the smallest free volume that fits): those would stay Pending after install.
   * Only claims without a class of their own go to the default class.
   */
  static List<String> unmatchedClaims(InstallPlan plan, List<StaticVolume> volumes) {
    List<BigDecimal> free =
        new ArrayList<>(
            volumes.stream()
                .map(v -> Quantity.getAmountInBytes(new Quantity(v.size())))
                .sorted()
                .toList());
    List<String> warnings = new ArrayList<>();
    for (PlannedComponent c : plan.components()) {
      for (K8sObject o : c.objects()) {
        if (!o.kind().equals("PersistentVolumeClaim") || claimClass(o) != null) {
          continue;
        }
        String size = claimSize(o);
        BigDecimal wanted = Quantity.getAmountInBytes(new Quantity(size == null ? "0" : size));
        BigDecimal fit =
            free.stream().filter(f -> f.compareTo(wanted) >= 0).findFirst().orElse(null);
        if (fit == null) {
          warnings.add(
              "storage: no fixed volume in storage.nfs.volumes holds claim "
                  + o.namespace()
                  + "/"
                  + o.name()
                  + " ("
                  + size
                  + ") of "
                  + c.id()
                  + "; it would stay Pending: add a volume of at least "
                  + size);
        } else {
          free.remove(fit);
        }
      }
    }
    return warnings;
  }

  private static String claimClass(K8sObject claim) {
    return claim.body().get("spec") instanceof Map<?, ?> spec
            && spec.get("storageClassName") instanceof String name
        ? name
        : null;
  }

  private static String claimSize(K8sObject claim) {
    if (claim.body().get("spec") instanceof Map<?, ?> spec
        && spec.get("resources") instanceof Map<?, ?> r
        && r.get("requests") instanceof Map<?, ?> req
        && req.get("storage") != null) {
      return String.valueOf(req.get("storage"));
    }
    return null;
  }
}
