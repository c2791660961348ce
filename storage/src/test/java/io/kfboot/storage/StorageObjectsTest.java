package io.kfboot.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.testing.Golden;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/** What each storage mode installs and writes, from typed settings, against golden files. */
class StorageObjectsTest {
  static final String HOSTS =
      """
      cluster: lab
      k3s: {token: {env: K3S_TOKEN}}
      hosts:
        - {name: server-1, address: 10.0.0.11, role: server}
        - {name: gpu-1, address: 10.0.0.21, role: agent, gpu: true}
      """;

  static Inventory inventory(String storage) {
    return InventoryLoader.parse(HOSTS + storage, "inventory.yaml", Path.of("."));
  }

  static String yaml(List<K8sObject> objects) {
    DumperOptions o = new DumperOptions();
    o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(o).dumpAll(objects.stream().map(K8sObject::body).iterator());
  }

  @Test
  void eachModeAsGolden() throws Exception {
    Inventory local = inventory("storage: {mode: local-path, localPath: /data/volumes}\n");
    Golden.check(
        "local-path-provisioner.yaml", yaml(StorageComponent.objects(local.storage(), false)));
    assertThat(StorageComponent.objects(local.storage(), true))
        .as("k3s' bundled provisioner is used as it is")
        .isEmpty();

    Inventory nfs =
        inventory("storage: {mode: nfs, nfs: {server: server-1, path: /srv/nfs/kubeflow}}\n");
    Golden.check(
        "nfs-subdir-provisioner.yaml", yaml(StorageComponent.objects(nfs.storage(), false)));
    Golden.check("kfboot.exports", NfsHostSteps.exportsFile(nfs));

    Inventory fixed =
        inventory(
            """
            storage:
              mode: nfs-static
              nfs:
                server: nas.lab.example
                path: /export/kubeflow
                volumes: [{name: katib-mysql, size: 10Gi}, {name: minio, size: 20Gi}]
            """);
    Golden.check("nfs-static.yaml", yaml(StorageComponent.objects(fixed.storage(), false)));
  }

  @Test
  void everyModeMarksExactlyItsOwnClassDefault() {
    for (String storage :
        List.of(
            "storage: {mode: local-path}\n",
            "storage: {mode: nfs, nfs: {server: server-1}}\n",
            "storage: {mode: nfs-static, nfs: {server: server-1, volumes: [{name: v1, size:"
                + " 1Gi}]}}\n")) {
      Inventory inv = inventory(storage);
      List<K8sObject> classes =
          StorageComponent.objects(inv.storage(), false).stream()
              .filter(o -> o.kind().equals("StorageClass"))
              .toList();
      assertThat(classes).as(storage).hasSize(1);
      assertThat(classes.get(0).name())
          .isEqualTo(StorageComponent.defaultClass(inv.storage().mode()));
      assertThat(classes.get(0).body().get("metadata").toString())
          .contains(Provisioners.DEFAULT_CLASS_ANNOTATION + "=true");
    }
  }
}
