package io.kfboot.storage;

import io.kfboot.bootstrap.inventory.Inventory.Nfs;
import io.kfboot.bootstrap.inventory.Inventory.StaticVolume;
import io.kfboot.core.ObjectTemplate;
import io.kfboot.manifests.parse.K8sObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The objects of each storage mode, built from typed settings (golden-tested). Shapes follow the
 * upstream deploy manifests:
 * https://github.com/rancher/local-path-provisioner/blob/master/deploy/local-path-storage.yaml and
 * https://github.com/kubernetes-sigs/nfs-subdir-external-provisioner/tree/master/deploy
 */
public final class Provisioners {
  public static final String DEFAULT_CLASS_ANNOTATION =
      "storageclass.kubernetes.io/is-default-class";

  public static final String LOCAL_PATH_VERSION = "v0.0.31";
  public static final String LOCAL_PATH_IMAGE =
      "rancher/local-path-provisioner:" + LOCAL_PATH_VERSION;
  public static final String LOCAL_PATH_NAMESPACE = "local-path-storage";
  public static final String LOCAL_PATH_CLASS = "local-path";
  public static final String LOCAL_PATH_PROVISIONER = "rancher.io/local-path";

  /** local-path-provisioner's own default; k3s' bundled one uses /var/lib/rancher/k3s/storage. */
  public static final String LOCAL_PATH_DEFAULT_DIR = "/opt/local-path-provisioner";

  public static final String NFS_VERSION = "v4.0.2";
  public static final String NFS_IMAGE =
      "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:" + NFS_VERSION;
  public static final String NFS_NAMESPACE = "nfs-provisioner";
  public static final String NFS_CLASS = "nfs-client";
  public static final String NFS_PROVISIONER = "k8s-sigs.io/nfs-subdir-external-provisioner";
  public static final String NFS_DEPLOYMENT = "nfs-client-provisioner";

  public static final String STATIC_CLASS = "nfs-static";
  public static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";

  /** The image helper pods of local-path-provisioner use to make and remove volume directories. */
  public static final String BUSYBOX_IMAGE = "docker.io/library/busybox:1.37.0";

  private Provisioners() {}

  /** local-path-provisioner, for clusters where k3s' bundled one is disabled. */
  public static List<K8sObject> localPath(String dataPath) {
    String dir = dataPath == null ? LOCAL_PATH_DEFAULT_DIR : dataPath;
    String config =
        "{\n"
            + "  \"nodePathMap\": [\n"
            + "    {\"node\": \"DEFAULT_PATH_FOR_NON_LISTED_NODES\", \"paths\": [\""
            + dir
            + "\"]}\n  ]\n}\n";
    List<Map<String, Object>> objects =
        ObjectTemplate.load(Provisioners.class, "local-path-provisioner.yaml")
            .objects(
                o ->
                    switch (o.kind()) {
                      case "ConfigMap" -> o.data("config.json", config);
                      case "Deployment" -> o.image("local-path-provisioner", LOCAL_PATH_IMAGE);
                      default -> o;
                    });
    // the helper pods' image is written in the template's helperPod.yaml; the probe pulls it too
    if (objects.stream().noneMatch(o -> String.valueOf(o).contains(BUSYBOX_IMAGE))) {
      throw new IllegalStateException(
          "local-path-provisioner.yaml's helper pod does not use " + BUSYBOX_IMAGE);
    }
    return objects.stream().map(K8sObject::of).toList();
  }

  /** nfs-subdir-external-provisioner: a subdirectory of the export per claim. */
  public static List<K8sObject> nfs(Nfs nfs) {
    String container = "nfs-client-provisioner";
    return ObjectTemplate.load(Provisioners.class, "nfs-subdir-provisioner.yaml")
        .objects(
            o ->
                o.kind().equals("Deployment")
                    ? o.image(container, NFS_IMAGE)
                        .env(container, "NFS_SERVER", nfs.address())
                        .env(container, "NFS_PATH", nfs.path())
                        .nfsVolume("nfs-client-root", nfs.address(), nfs.path())
                    : o)
        .stream()
        .map(K8sObject::of)
        .toList();
  }

  /**
   * Fixed volumes on the export, in a class without a provisioner: claims bind to what is there.
   */
  public static List<K8sObject> nfsStatic(Nfs nfs) {
    List<K8sObject> objects = new ArrayList<>();
    objects.add(K8sObject.of(STATIC.object("StorageClass", STATIC_CLASS).done()));
    for (StaticVolume v : nfs.volumes()) {
      objects.add(staticVolume(v.name(), v.size(), nfs, nfs.path() + "/" + v.name(), null));
    }
    return objects;
  }

  private static final ObjectTemplate STATIC =
      ObjectTemplate.load(Provisioners.class, "nfs-static.yaml");

  /**
   * @param claim "namespace/name" the volume is reserved for, or null for any claim of the class
   */
  static K8sObject staticVolume(String name, String size, Nfs nfs, String path, String claim) {
    ObjectTemplate.Patch pv =
        STATIC
            .object("PersistentVolume", "static-volume")
            .name(name)
            .persistentVolume(size, nfs.address(), path);
    if (claim != null) {
      pv.claimRef(claim.substring(0, claim.indexOf('/')), claim.substring(claim.indexOf('/') + 1));
    }
    return K8sObject.of(pv.done());
  }
}
