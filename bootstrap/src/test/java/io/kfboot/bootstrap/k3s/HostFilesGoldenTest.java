package io.kfboot.bootstrap.k3s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.testing.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Desired state on hosts, rendered from typed records, against golden files. */
class HostFilesGoldenTest {
  static final String HA =
      """
      cluster: lab
      k3s:
        apiEndpoint: 10.0.0.10
        tlsSan: [kubeflow.lab.example]
        token: {env: K3S_TOKEN}
      registries:
        mirrors:
          docker.io: [https://mirror.lab.example]
        auth:
          mirror.lab.example: {username: puller, passwordEnv: MIRROR_PASSWORD}
      hosts:
        - {name: server-1, address: 10.0.0.11, role: server}
        - {name: server-2, address: 10.0.0.12, role: server,
           taints: ["node-role.kubernetes.io/control-plane=true:NoSchedule"]}
        - {name: server-3, address: 10.0.0.13, role: server}
        - {name: gpu-1, address: 10.0.0.21, role: agent, gpu: true, labels: {accelerator: a100}}
      """;

  static Inventory inventory(String yaml) {
    return InventoryLoader.parse(yaml, "inventory.yaml", Path.of("."));
  }

  @Test
  void k3sConfigPerRole() throws Exception {
    Inventory inv = inventory(HA);
    String url = "https://10.0.0.10:6443";
    Golden.check("k3s/first-server.yaml", K3sConfig.render(inv, inv.servers().get(0), true, url));
    Golden.check(
        "k3s/joining-server.yaml", K3sConfig.render(inv, inv.servers().get(1), false, url));
    Golden.check("k3s/gpu-agent.yaml", K3sConfig.render(inv, inv.agents().get(0), false, url));
    Inventory single =
        inventory(
            """
            cluster: one
            k3s: {token: {file: /etc/kfboot/token}}
            containerRuntime: docker
            hosts: [{name: box, address: 192.168.1.5, role: server}]
            """);
    Golden.check(
        "k3s/single-server-docker.yaml",
        K3sConfig.render(single, single.servers().get(0), true, "https://192.168.1.5:6443"));
  }

  @Test
  void storageModesAndDiscoveredGpuCountShapeTheK3sConfig() throws Exception {
    Inventory nfs =
        inventory(
            HA
                + """
                storage:
                  mode: nfs
                  nfs: {server: server-1, path: /srv/nfs/kubeflow}
                """);
    String url = "https://10.0.0.10:6443";
    Golden.check(
        "k3s/first-server-nfs.yaml", K3sConfig.render(nfs, nfs.servers().get(0), true, url));
    Golden.check(
        "k3s/gpu-agent-counted.yaml",
        K3sConfig.render(
            nfs, nfs.agents().get(0), false, url, Map.of("nvidia.com/gpu.count", "4")));
    Inventory localPath =
        inventory(HA + "storage: {mode: local-path, localPath: /data/k3s-volumes}\n");
    String server = K3sConfig.render(localPath, localPath.servers().get(0), true, url);
    assertThat(server)
        .contains("default-local-storage-path: /data/k3s-volumes")
        .doesNotContain("local-storage\n");
    // only servers run the local-path addon
    assertThat(K3sConfig.render(localPath, localPath.agents().get(0), false, url))
        .doesNotContain("local-storage");
  }

  @Test
  void registriesTakePasswordsFromTheEnvironmentOnly() throws Exception {
    Inventory inv = inventory(HA);
    Golden.check(
        "k3s/registries.yaml",
        K3sConfig.registries(inv.registries(), Map.of("MIRROR_PASSWORD", "pw-from-env")));
    assertThatThrownBy(() -> K3sConfig.registries(inv.registries(), Map.of()))
        .hasMessageContaining("MIRROR_PASSWORD")
        .hasMessageContaining("is not set");
  }

  /** An air-gapped site: every registry through the mirrors, nodes sharing what they pulled. */
  static final String AIRGAPPED =
      """
      cluster: lab
      k3s: {version: v1.33.4+k3s1, token: {env: K3S_TOKEN}}
      registries:
        disableDefaultEndpoint: true
        embeddedRegistry: true
        mirrors:
          docker.io: {endpoints: ["https://harbor.lab.example/v2/dockerhub"]}
          ghcr.io: [https://harbor.lab.example]
          gcr.io: {endpoints: [https://harbor.lab.example], rewrite: {"^(.*)$": "gcr/$1"}}
          quay.io: [https://harbor.lab.example]
          registry.k8s.io: [https://harbor.lab.example]
          us-central1-docker.pkg.dev: [https://harbor.lab.example]
          public.ecr.aws: [https://harbor.lab.example]
          nvcr.io: [http://10.0.0.5:5000]
          "*": [https://harbor.lab.example]
        auth:
          harbor.lab.example: {username: robot$kfboot, passwordEnv: HARBOR_PASSWORD}
          10.0.0.5:5000: {tokenEnv: NVCR_MIRROR_TOKEN}
        tls:
          harbor.lab.example: {caFile: harbor-ca.pem}
          10.0.0.5:5000: {insecureSkipVerify: true}
      hosts:
        - {name: server-1, address: 10.0.0.11, role: server}
        - {name: agent-1, address: 10.0.0.21, role: agent}
      """;

  @Test
  void anAirGappedSitesRegistriesAndK3sFlags(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("harbor-ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    Inventory inv = InventoryLoader.parse(AIRGAPPED, "inventory.yaml", dir);
    Golden.check(
        "k3s/registries-airgapped.yaml",
        K3sConfig.registries(
            inv.registries(),
            Map.of("HARBOR_PASSWORD", "harbor-pw", "NVCR_MIRROR_TOKEN", "nvcr-token")));
    String url = "https://10.0.0.11:6443";
    Golden.check(
        "k3s/server-embedded-registry.yaml",
        K3sConfig.render(inv, inv.servers().get(0), true, url));
    assertThat(K3sConfig.render(inv, inv.agents().get(0), false, url))
        .as("the default endpoint is off on every node; the embedded registry is a server flag")
        .contains("disable-default-registry-endpoint: true")
        .doesNotContain("embedded-registry");
    assertThat(K3sConfig.tlsFiles(inv.registries()))
        .extracting(K3sConfig.TlsFile::node)
        .containsExactly(K3sConfig.REGISTRY_TLS_DIR + "/harbor.lab.example/ca.crt");
  }

  @Test
  void kernelSettings() throws Exception {
    Golden.check("host/sysctl.conf", HostFiles.sysctlConf());
    Golden.check("host/modules.conf", HostFiles.modulesConf());
  }

  @Test
  void swapLinesAreCommentedAndRestoredExactly() throws Exception {
    String fstab =
        """
        # /etc/fstab: static file system information.
        UUID=1111-2222 /               ext4    errors=remount-ro 0       1
        UUID=3333-4444 none            swap    sw              0       0
        /swapfile      none            swap    sw              0       0
        # /old/swap    none            swap    sw              0       0
        tmpfs          /tmp            tmpfs   defaults        0       0
        """;
    String off = HostFiles.fstabWithoutSwap(fstab);
    Golden.check("host/fstab-swapoff", off);
    assertThat(HostFiles.fstabWithoutSwap(off)).as("idempotent").isEqualTo(off);
    assertThat(HostFiles.fstabRestored(off)).isEqualTo(fstab);
  }
}
