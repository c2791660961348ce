package io.kfboot.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.install.InstallException;
import io.kfboot.components.install.InstallListener;
import io.kfboot.components.install.InstallReport;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.RetryPolicy;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import io.kfboot.manifests.source.ReleaseRef;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The storage component installed by the engine on the simulated cluster, in every mode. */
class StorageComponentTest {
  static final ReleaseTree TREE =
      new ReleaseTree(
          Path.of("."),
          new ReleaseRef("v1.10.2", "d8d643f1a736b28c525bd9b8ee5c9b2f4a661b39"),
          "test",
          false);
  static final Installer.Options OPTIONS =
      new Installer.Options(
          4,
          Duration.ofSeconds(3),
          Duration.ofMillis(5),
          new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20)),
          false);

  /** A stand-in for a Kubeflow component: rendered from a release path, one ConfigMap. */
  static PlannedComponent releaseComponent() {
    K8sObject cm =
        K8sObject.of(
            K8sObject.map(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                K8sObject.map("name", "pipeline-install-config", "namespace", "kubeflow"),
                "data",
                Map.of("k", "v")));
    return new PlannedComponent(
        new ComponentSpec(
            "kubeflow-pipelines",
            "Pipelines",
            List.of("apps/pipeline"),
            List.of("kubeflow"),
            List.of(),
            List.of(),
            false,
            true),
        0,
        List.of(cm),
        List.of(),
        new TreeSet<>(List.of("kubeflow")),
        new TreeSet<>(),
        ResourceRequests.ZERO,
        List.of());
  }

  static InstallPlan plan(Inventory.Storage storage, boolean bundled) {
    return StorageComponent.addTo(
        new InstallPlan(TREE, "none", List.of(releaseComponent()), List.of()), storage, bundled);
  }

  static InstallReport install(KubernetesClient client, InstallPlan plan) {
    return new Installer(client, OPTIONS, InstallListener.NONE, new ClusterDiagnostics(client))
        .install(plan);
  }

  /** What k3s ships: the local-path class, default, and its provisioner in kube-system. */
  static void k3sLocalPath(KubernetesClient client) {
    client
        .storage()
        .v1()
        .storageClasses()
        .resource(
            new StorageClassBuilder()
                .withNewMetadata()
                .withName("local-path")
                .withAnnotations(Map.of(Provisioners.DEFAULT_CLASS_ANNOTATION, "true"))
                .endMetadata()
                .withProvisioner(Provisioners.LOCAL_PATH_PROVISIONER)
                .withVolumeBindingMode("WaitForFirstConsumer")
                .build())
        .create();
    client
        .apps()
        .deployments()
        .inNamespace("kube-system")
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("local-path-provisioner")
                .withNamespace("kube-system")
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", "local-path-provisioner")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "local-path-provisioner")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("p")
                .withImage("rancher/local-path-provisioner:v0.0.31")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
  }

  static StorageClass otherDefault(KubernetesClient client, String name) {
    return client
        .storage()
        .v1()
        .storageClasses()
        .resource(
            new StorageClassBuilder()
                .withNewMetadata()
                .withName(name)
                .withAnnotations(
                    Map.of(Provisioners.DEFAULT_CLASS_ANNOTATION, "true", "owner", "site"))
                .endMetadata()
                .withProvisioner("driver.longhorn.io")
                .withVolumeBindingMode("Immediate")
                .build())
        .create();
  }

  static List<String> defaults(KubernetesClient client) {
    return DefaultClassCheck.defaults(client);
  }

  static int indexOf(List<SimulatedCluster.Write> writes, String plural, String name, String op) {
    for (int i = 0; i < writes.size(); i++) {
      SimulatedCluster.Write w = writes.get(i);
      if (w.plural().equals(plural) && name.equals(w.name()) && w.op().equals(op)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void k3sLocalPathBecomesTheOnlyDefaultAndTheProbeGatesKubeflow() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      k3sLocalPath(client);
      otherDefault(client, "longhorn");
      assertThat(StorageComponent.hasBundledLocalPath(client)).isTrue();
      InstallPlan plan = plan(Inventory.Storage.DEFAULTS, true);
      assertThat(plan.components().get(0).objects()).isEmpty();
      assertThat(plan.components().get(1).spec().dependsOn()).containsExactly(StorageComponent.ID);

      install(client, plan);
      assertThat(defaults(client)).containsExactly("local-path");
      StorageClass longhorn = client.storage().v1().storageClasses().withName("longhorn").get();
      assertThat(longhorn.getMetadata().getAnnotations())
          .containsEntry(Provisioners.DEFAULT_CLASS_ANNOTATION, "false")
          .containsEntry("owner", "site");
      List<SimulatedCluster.Write> writes = cluster.writes();
      int probe = indexOf(writes, "pods", ProbeVolumeCheck.NAME, "DELETE");
      int kubeflow = indexOf(writes, "configmaps", "pipeline-install-config", "CREATE");
      assertThat(indexOf(writes, "persistentvolumeclaims", ProbeVolumeCheck.NAME, "CREATE"))
          .isNotNegative();
      assertThat(probe).as("the probe ran and was removed").isNotNegative();
      assertThat(kubeflow).as("Kubeflow starts after the probe").isGreaterThan(probe);
      assertThat(
              client
                  .persistentVolumeClaims()
                  .inNamespace(ProbeVolumeCheck.NAMESPACE)
                  .withName(ProbeVolumeCheck.NAME)
                  .get())
          .isNull();
      assertThat(
              client
                  .pods()
                  .inNamespace(ProbeVolumeCheck.NAMESPACE)
                  .withName(ProbeVolumeCheck.NAME)
                  .get())
          .isNull();

      int before = cluster.writes().size();
      assertThat(install(client, plan).changes()).as("a rerun applies nothing").isZero();
      assertThat(defaults(client)).containsExactly("local-path");
      List<SimulatedCluster.Write> rerun =
          cluster.writes().subList(before, cluster.writes().size());
      assertThat(
              rerun.stream()
                  .filter(w -> w.name() != null && w.name().equals(ProbeVolumeCheck.NAME))
                  .toList())
          .as("storage was in place: the probe claim and pod are not made again")
          .isEmpty();
      assertThat(rerun.stream().filter(w -> !w.op().equals("UNCHANGED")).count())
          .as("writes of the rerun: the record at most once")
          .isLessThanOrEqualTo(1);
    }
  }

  @Test
  void withoutK3sLocalPathTheProvisionerIsInstalled() {
    Inventory.Storage storage =
        new Inventory.Storage(Inventory.StorageMode.LOCAL_PATH, "/data/volumes", null);
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      assertThat(StorageComponent.hasBundledLocalPath(client)).isFalse();
      install(client, plan(storage, false));
      assertThat(cluster.readyAt("Deployment local-path-storage/local-path-provisioner"))
          .isNotNull();
      assertThat(
              client
                  .configMaps()
                  .inNamespace("local-path-storage")
                  .withName("local-path-config")
                  .get()
                  .getData()
                  .get("config.json"))
          .contains("/data/volumes");
      assertThat(defaults(client)).containsExactly("local-path");
    }
  }

  @Test
  void nfsProvisionerClassIsTheDefaultAndItsClaimsBind() {
    Inventory.Nfs nfs =
        new Inventory.Nfs(
            "server-1", "10.0.0.11", "/srv/nfs", Inventory.Nfs.DEFAULT_OPTIONS, List.of());
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      k3sLocalPath(client); // an HA upgrade from local-path: it must stop being the default
      install(client, plan(new Inventory.Storage(Inventory.StorageMode.NFS, null, nfs), false));
      assertThat(cluster.readyAt("Deployment nfs-provisioner/nfs-client-provisioner")).isNotNull();
      assertThat(defaults(client)).containsExactly(Provisioners.NFS_CLASS);
      assertThat(client.persistentVolumes().list().getItems())
          .as("the probe's volume went with its claim in the simulation too")
          .allMatch(pv -> Provisioners.NFS_CLASS.equals(pv.getSpec().getStorageClassName()));
    }
  }

  @Test
  void fixedNfsVolumesAreLeftForKubeflowAndTheProbeUsesItsOwn() {
    Inventory.Nfs nfs =
        new Inventory.Nfs(
            null,
            "nas.lab.example",
            "/export/kubeflow",
            Inventory.Nfs.DEFAULT_OPTIONS,
            List.of(
                new Inventory.StaticVolume("katib-mysql", "10Gi"),
                new Inventory.StaticVolume("minio", "20Gi")));
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      install(
          client, plan(new Inventory.Storage(Inventory.StorageMode.NFS_STATIC, null, nfs), false));
      assertThat(defaults(client)).containsExactly(Provisioners.STATIC_CLASS);
      List<PersistentVolume> pvs = client.persistentVolumes().list().getItems();
      assertThat(pvs)
          .extracting(pv -> pv.getMetadata().getName())
          .containsExactlyInAnyOrder("katib-mysql", "minio");
      assertThat(pvs).allMatch(pv -> pv.getSpec().getClaimRef() == null);
      assertThat(
              indexOf(
                  cluster.writes(), "persistentvolumes", StorageComponent.PROBE_VOLUME, "DELETE"))
          .isNotNegative();
    }
  }

  @Test
  void aProvisionerThatDoesNotProvisionStopsTheInstallBeforeKubeflowWithItsEvent() {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      cluster.provisionerDown(Provisioners.LOCAL_PATH_PROVISIONER);
      k3sLocalPath(client);
      assertThatThrownBy(() -> install(client, plan(Inventory.Storage.DEFAULTS, true)))
          .isInstanceOfSatisfying(
              InstallException.class,
              e -> {
                assertThat(e.getMessage()).contains("storage probe").contains("claim Pending");
                assertThat(e.diagnostics())
                    .contains(
                        "Waiting for a volume to be created either by the external provisioner"
                            + " 'rancher.io/local-path'");
              });
      assertThat(indexOf(cluster.writes(), "configmaps", "pipeline-install-config", "CREATE"))
          .as("no Kubeflow object")
          .isNegative();
      assertThat(
              client
                  .persistentVolumeClaims()
                  .inNamespace(ProbeVolumeCheck.NAMESPACE)
                  .withName(ProbeVolumeCheck.NAME)
                  .get())
          .as("the probe is removed after a failure too")
          .isNull();
    }
  }

  @Test
  void existingModeChangesNoClassAndNeedsExactlyOneDefault() {
    Inventory.Storage existing = new Inventory.Storage(Inventory.StorageMode.EXISTING, null, null);
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      k3sLocalPath(client);
      otherDefault(client, "longhorn");
      assertThatThrownBy(() -> install(client, plan(existing, true)))
          .isInstanceOfSatisfying(
              InstallException.class,
              e -> {
                assertThat(e.getMessage())
                    .contains(
                        "exactly one default StorageClass; the cluster has 2: local-path,"
                            + " longhorn");
                assertThat(e.fix()).contains("kubectl annotate storageclass NAME");
              });
      assertThat(defaults(client)).containsExactly("local-path", "longhorn");
      client.storage().v1().storageClasses().withName("longhorn").delete();
      install(client, plan(existing, true));
      assertThat(defaults(client)).containsExactly("local-path");
    }
  }

  @Test
  void withFixedVolumesThePlanWarnsOfClaimsNoVolumeWouldHold() {
    K8sObject claim =
        K8sObject.of(
            K8sObject.map(
                "apiVersion",
                "v1",
                "kind",
                "PersistentVolumeClaim",
                "metadata",
                K8sObject.map("name", "katib-mysql", "namespace", "kubeflow"),
                "spec",
                K8sObject.map(
                    "accessModes",
                    List.of("ReadWriteOnce"),
                    "resources",
                    K8sObject.map("requests", K8sObject.map("storage", "10Gi")))));
    K8sObject big =
        K8sObject.of(
            K8sObject.map(
                "apiVersion",
                "v1",
                "kind",
                "PersistentVolumeClaim",
                "metadata",
                K8sObject.map("name", "minio-pvc", "namespace", "kubeflow"),
                "spec",
                K8sObject.map(
                    "resources", K8sObject.map("requests", K8sObject.map("storage", "20Gi")))));
    K8sObject ownClass =
        K8sObject.of(
            K8sObject.map(
                "apiVersion",
                "v1",
                "kind",
                "PersistentVolumeClaim",
                "metadata",
                K8sObject.map("name", "fast", "namespace", "kubeflow"),
                "spec",
                K8sObject.map(
                    "storageClassName",
                    "ssd",
                    "resources",
                    K8sObject.map("requests", K8sObject.map("storage", "1Ti")))));
    PlannedComponent c = releaseComponent();
    InstallPlan release =
        new InstallPlan(
            TREE, "none", List.of(c.withObjects(List.of(claim, big, ownClass))), List.of());
    Inventory.Nfs nfs =
        new Inventory.Nfs(
            null,
            "nas",
            "/export",
            Inventory.Nfs.DEFAULT_OPTIONS,
            List.of(
                new Inventory.StaticVolume("a", "15Gi"), new Inventory.StaticVolume("b", "10Gi")));
    InstallPlan plan =
        StorageComponent.addTo(
            release, new Inventory.Storage(Inventory.StorageMode.NFS_STATIC, null, nfs), false);
    // katib-mysql takes the 10Gi volume; nothing left holds 20Gi; a claim with its own class is not
    // ours to judge
    assertThat(plan.warnings())
        .containsExactly(
            "storage: no fixed volume in storage.nfs.volumes holds claim kubeflow/minio-pvc (20Gi)"
                + " of kubeflow-pipelines; it would stay Pending: add a volume of at least 20Gi");
  }
}
