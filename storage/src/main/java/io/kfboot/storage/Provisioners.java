package io.kfboot.storage;

import static io.kfboot.manifests.parse.K8sObject.map;

import io.kfboot.bootstrap.inventory.Inventory.Nfs;
import io.kfboot.bootstrap.inventory.Inventory.StaticVolume;
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

  private static final Map<String, Object> MANAGED = map("app.kubernetes.io/managed-by", "kfboot");

  private Provisioners() {}

  /** local-path-provisioner, for clusters where k3s' bundled one is disabled. */
  public static List<K8sObject> localPath(String dataPath) {
    String dir = dataPath == null ? LOCAL_PATH_DEFAULT_DIR : dataPath;
    String sa = "local-path-provisioner-service-account";
    String config =
        "{\n"
            + "  \"nodePathMap\": [\n"
            + "    {\"node\": \"DEFAULT_PATH_FOR_NON_LISTED_NODES\", \"paths\": [\""
            + dir
            + "\"]}\n  ]\n}\n";
    List<Map<String, Object>> objects = new ArrayList<>();
    objects.add(namespace(LOCAL_PATH_NAMESPACE));
    objects.add(
        map(
            "apiVersion",
            "v1",
            "kind",
            "ServiceAccount",
            "metadata",
            meta(sa, LOCAL_PATH_NAMESPACE)));
    objects.add(
        map(
            "apiVersion",
            "rbac.authorization.k8s.io/v1",
            "kind",
            "ClusterRole",
            "metadata",
            meta("local-path-provisioner-role", null),
            "rules",
            List.of(
                rule(
                    "",
                    List.of("nodes", "persistentvolumeclaims", "configmaps", "pods", "pods/log"),
                    List.of("get", "list", "watch")),
                rule(
                    "",
                    List.of("persistentvolumes", "pods"),
                    List.of("get", "list", "watch", "create", "patch", "update", "delete")),
                rule("", List.of("events"), List.of("create", "patch")),
                rule(
                    "storage.k8s.io",
                    List.of("storageclasses"),
                    List.of("get", "list", "watch")))));
    objects.add(
        binding(
            "ClusterRoleBinding",
            "local-path-provisioner-bind",
            null,
            "ClusterRole",
            "local-path-provisioner-role",
            sa,
            LOCAL_PATH_NAMESPACE));
    objects.add(
        map(
            "apiVersion",
            "v1",
            "kind",
            "ConfigMap",
            "metadata",
            meta("local-path-config", LOCAL_PATH_NAMESPACE),
            "data",
            map(
                "config.json",
                config,
                "setup",
                "#!/bin/sh\nset -eu\nmkdir -m 0777 -p \"$VOL_DIR\"\n",
                "teardown",
                "#!/bin/sh\nset -eu\nrm -rf \"$VOL_DIR\"\n",
                "helperPod.yaml",
                "apiVersion: v1\n"
                    + "kind: Pod\n"
                    + "metadata:\n"
                    + "  name: helper-pod\n"
                    + "spec:\n"
                    + "  priorityClassName: system-node-critical\n"
                    + "  tolerations:\n"
                    + "  - key: node.kubernetes.io/disk-pressure\n"
                    + "    operator: Exists\n"
                    + "    effect: NoSchedule\n"
                    + "  containers:\n"
                    + "  - name: helper-pod\n"
                    + "    image: "
                    + BUSYBOX_IMAGE
                    + "\n    imagePullPolicy: IfNotPresent\n")));
    objects.add(
        deployment(
            "local-path-provisioner",
            LOCAL_PATH_NAMESPACE,
            sa,
            map(
                "name", "local-path-provisioner",
                "image", LOCAL_PATH_IMAGE,
                "command",
                    List.of(
                        "local-path-provisioner",
                        "--debug",
                        "start",
                        "--config",
                        "/etc/config/config.json"),
                "env",
                    List.of(
                        map(
                            "name",
                            "POD_NAMESPACE",
                            "valueFrom",
                            map("fieldRef", map("fieldPath", "metadata.namespace"))),
                        map("name", "CONFIG_MOUNT_PATH", "value", "/etc/config/")),
                "volumeMounts", List.of(map("name", "config-volume", "mountPath", "/etc/config/"))),
            List.of(map("name", "config-volume", "configMap", map("name", "local-path-config")))));
    objects.add(
        storageClass(
            LOCAL_PATH_CLASS, LOCAL_PATH_PROVISIONER, "WaitForFirstConsumer", "Delete", Map.of()));
    return objects.stream().map(K8sObject::of).toList();
  }

  /** nfs-subdir-external-provisioner: a subdirectory of the export per claim. */
  public static List<K8sObject> nfs(Nfs nfs) {
    String sa = NFS_DEPLOYMENT;
    List<Map<String, Object>> objects = new ArrayList<>();
    objects.add(namespace(NFS_NAMESPACE));
    objects.add(
        map("apiVersion", "v1", "kind", "ServiceAccount", "metadata", meta(sa, NFS_NAMESPACE)));
    objects.add(
        map(
            "apiVersion",
            "rbac.authorization.k8s.io/v1",
            "kind",
            "ClusterRole",
            "metadata",
            meta("nfs-client-provisioner-runner", null),
            "rules",
            List.of(
                rule("", List.of("nodes"), List.of("get", "list", "watch")),
                rule(
                    "",
                    List.of("persistentvolumes"),
                    List.of("get", "list", "watch", "create", "delete")),
                rule(
                    "",
                    List.of("persistentvolumeclaims"),
                    List.of("get", "list", "watch", "update")),
                rule("storage.k8s.io", List.of("storageclasses"), List.of("get", "list", "watch")),
                rule("", List.of("events"), List.of("create", "update", "patch")))));
    objects.add(
        binding(
            "ClusterRoleBinding",
            "run-nfs-client-provisioner",
            null,
            "ClusterRole",
            "nfs-client-provisioner-runner",
            sa,
            NFS_NAMESPACE));
    objects.add(
        map(
            "apiVersion",
            "rbac.authorization.k8s.io/v1",
            "kind",
            "Role",
            "metadata",
            meta("leader-locking-nfs-client-provisioner", NFS_NAMESPACE),
            "rules",
            List.of(
                rule(
                    "",
                    List.of("endpoints"),
                    List.of("get", "list", "watch", "create", "update", "patch")),
                rule(
                    "coordination.k8s.io",
                    List.of("leases"),
                    List.of("get", "create", "update")))));
    objects.add(
        binding(
            "RoleBinding",
            "leader-locking-nfs-client-provisioner",
            NFS_NAMESPACE,
            "Role",
            "leader-locking-nfs-client-provisioner",
            sa,
            NFS_NAMESPACE));
    Map<String, Object> deployment =
        deployment(
            NFS_DEPLOYMENT,
            NFS_NAMESPACE,
            sa,
            map(
                "name",
                "nfs-client-provisioner",
                "image",
                NFS_IMAGE,
                "env",
                List.of(
                    map("name", "PROVISIONER_NAME", "value", NFS_PROVISIONER),
                    map("name", "NFS_SERVER", "value", nfs.address()),
                    map("name", "NFS_PATH", "value", nfs.path())),
                "volumeMounts",
                List.of(map("name", "nfs-client-root", "mountPath", "/persistentvolumes"))),
            List.of(
                map(
                    "name",
                    "nfs-client-root",
                    "nfs",
                    map("server", nfs.address(), "path", nfs.path()))));
    // one provisioner at a time: two would race on the same directories
    ((Map<String, Object>) deployment.get("spec")).put("strategy", map("type", "Recreate"));
    objects.add(deployment);
    // archiveOnDelete false: a deleted claim's data goes, as with local-path; "true" keeps an
    // archived-* copy
    objects.add(
        storageClass(
            NFS_CLASS, NFS_PROVISIONER, "Immediate", "Delete", map("archiveOnDelete", "false")));
    return objects.stream().map(K8sObject::of).toList();
  }

  /**
   * Fixed volumes on the export, in a class without a provisioner: claims bind to what is there.
   */
  public static List<K8sObject> nfsStatic(Nfs nfs) {
    List<Map<String, Object>> objects = new ArrayList<>();
    objects.add(storageClass(STATIC_CLASS, NO_PROVISIONER, "Immediate", "Retain", Map.of()));
    for (StaticVolume v : nfs.volumes()) {
      objects.add(staticVolume(v.name(), v.size(), nfs, nfs.path() + "/" + v.name(), null));
    }
    return objects.stream().map(K8sObject::of).toList();
  }

  /**
   * @param claim "namespace/name" the volume is reserved for, or null for any claim of the class
   */
  static Map<String, Object> staticVolume(
      String name, String size, Nfs nfs, String path, String claim) {
    Map<String, Object> spec =
        map(
            "capacity", map("storage", size),
            "accessModes", List.of("ReadWriteOnce", "ReadWriteMany"),
            "persistentVolumeReclaimPolicy", "Retain",
            "storageClassName", STATIC_CLASS,
            "nfs", map("server", nfs.address(), "path", path));
    if (claim != null) {
      spec.put(
          "claimRef",
          map(
              "namespace",
              claim.substring(0, claim.indexOf('/')),
              "name",
              claim.substring(claim.indexOf('/') + 1)));
    }
    return map(
        "apiVersion", "v1", "kind", "PersistentVolume", "metadata", meta(name, null), "spec", spec);
  }

  static Map<String, Object> storageClass(
      String name,
      String provisioner,
      String binding,
      String reclaim,
      Map<String, Object> parameters) {
    Map<String, Object> metadata = meta(name, null);
    metadata.put("annotations", map(DEFAULT_CLASS_ANNOTATION, "true"));
    Map<String, Object> sc =
        map(
            "apiVersion",
            "storage.k8s.io/v1",
            "kind",
            "StorageClass",
            "metadata",
            metadata,
            "provisioner",
            provisioner,
            "reclaimPolicy",
            reclaim,
            "volumeBindingMode",
            binding);
    if (!parameters.isEmpty()) {
      sc.put("parameters", parameters);
    }
    return sc;
  }

  private static Map<String, Object> namespace(String name) {
    return map("apiVersion", "v1", "kind", "Namespace", "metadata", meta(name, null));
  }

  private static Map<String, Object> meta(String name, String namespace) {
    Map<String, Object> m = map("name", name);
    if (namespace != null) {
      m.put("namespace", namespace);
    }
    m.put("labels", MANAGED);
    return m;
  }

  private static Map<String, Object> rule(
      String group, List<String> resources, List<String> verbs) {
    return map("apiGroups", List.of(group), "resources", resources, "verbs", verbs);
  }

  private static Map<String, Object> binding(
      String kind,
      String name,
      String namespace,
      String roleKind,
      String role,
      String sa,
      String saNamespace) {
    return map(
        "apiVersion",
        "rbac.authorization.k8s.io/v1",
        "kind",
        kind,
        "metadata",
        meta(name, namespace),
        "roleRef",
        map("apiGroup", "rbac.authorization.k8s.io", "kind", roleKind, "name", role),
        "subjects",
        List.of(map("kind", "ServiceAccount", "name", sa, "namespace", saNamespace)));
  }

  private static Map<String, Object> deployment(
      String name,
      String namespace,
      String sa,
      Map<String, Object> container,
      List<Map<String, Object>> volumes) {
    return map(
        "apiVersion",
        "apps/v1",
        "kind",
        "Deployment",
        "metadata",
        meta(name, namespace),
        "spec",
        map(
            "replicas", 1,
            "selector", map("matchLabels", map("app", name)),
            "template",
                map(
                    "metadata", map("labels", map("app", name)),
                    "spec",
                        map(
                            "serviceAccountName",
                            sa,
                            "containers",
                            List.of(container),
                            "volumes",
                            volumes))));
  }
}
