package io.kfboot.bootstrap.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.bootstrap.inventory.Inventory.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryLoaderTest {
  @TempDir Path dir;

  static final String HA =
      """
      cluster: lab
      k3s:
        version: v1.32.4+k3s1
        apiEndpoint: 10.0.0.10
        tlsSan: [kubeflow.lab.example]
        token: {env: K3S_TOKEN}
      registries:
        mirrors:
          docker.io: [https://mirror.lab.example]
        auth:
          mirror.lab.example: {username: puller, passwordEnv: MIRROR_PASSWORD}
      ssh:
        user: ubuntu
        key: id_ecdsa
      hosts:
        - {name: agent-1, address: 10.0.0.21, role: agent, gpu: true, labels: {accelerator: a100}}
        - {name: server-1, address: 10.0.0.11, role: server}
        - {name: server-2, address: 10.0.0.12, role: server}
        - name: server-3
          address: 10.0.0.13
          role: server
          taints: ["node-role.kubernetes.io/control-plane=true:NoSchedule"]
      """;

  @BeforeEach
  void key() throws Exception {
    Files.writeString(dir.resolve("id_ecdsa"), "not really a key");
  }

  private Inventory parse(String yaml) {
    return InventoryLoader.parse(yaml, "inventory.yaml", dir);
  }

  private InventoryException problems(String yaml) {
    try {
      parse(yaml);
    } catch (InventoryException e) {
      return e;
    }
    throw new AssertionError("the inventory was accepted");
  }

  @Test
  void aValidHaInventory() {
    Inventory inv = parse(HA);
    assertThat(inv.cluster()).isEqualTo("lab");
    assertThat(inv.servers())
        .extracting(Inventory.Host::name)
        .containsExactly("server-1", "server-2", "server-3");
    assertThat(inv.hosts().get(inv.hosts().size() - 1).name())
        .as("servers come first")
        .isEqualTo("agent-1");
    Inventory.Host agent = inv.agents().get(0);
    assertThat(agent.gpu()).isTrue();
    assertThat(agent.user()).isEqualTo("ubuntu");
    assertThat(agent.sudo()).as("not root, so sudo").isTrue();
    assertThat(agent.identityFile()).isEqualTo(dir.resolve("id_ecdsa"));
    assertThat(agent.role()).isEqualTo(Role.AGENT);
    assertThat(inv.k3s().token().describe()).isEqualTo("environment variable K3S_TOKEN");
    assertThat(inv.registries().mirrors()).containsKey("docker.io");
    assertThat(inv.containerRuntime()).isEqualTo("containerd");
    assertThat(inv.warnings()).isEmpty();
  }

  @Test
  void typosAreNamedWithTheirLineAndTheNearestKey() {
    InventoryException e =
        problems(
            HA.replace("  apiEndpoint:", "  apiEndpiont:").replace("role: agent", "rol: agent"));
    assertThat(e.problems())
        .contains(
            "line 4: unknown key 'apiEndpiont' in k3s; did you mean 'apiEndpoint'?",
            "line 16: unknown key 'rol' in a host; did you mean 'role'?");
    assertThat(e.problems()).anyMatch(p -> p.startsWith("line 16: role is missing"));
  }

  @Test
  void anInlineTokenIsRefused() {
    InventoryException e =
        problems(HA.replace("token: {env: K3S_TOKEN}", "token: K10abc::server:secret"));
    assertThat(e.problems())
        .singleElement()
        .asString()
        .startsWith("line 6: k3s.token is written inline");
    assertThat(e.getMessage()).doesNotContain("K10abc");
  }

  @Test
  void duplicateHostsNoServerBadValuesAndUnreadableKeysAreAllReportedAtOnce() {
    String bad =
        """
        cluster: Lab_1
        k3s: {version: 1.32, token: {file: token}}
        containerRuntime: podman
        hosts:
          - {name: a, address: 10.0.0.1, role: agent, key: missing_key}
          - {name: a, address: 10.0.0.1, role: agent, taints: [oops], gpu: maybe, port: 70000}
        """;
    InventoryException e = problems(bad);
    assertThat(e.problems())
        .anyMatch(p -> p.startsWith("line 1: cluster 'Lab_1' must be a DNS label"))
        .anyMatch(p -> p.contains("k3s version '1.32' is not a k3s release"))
        .anyMatch(p -> p.contains("containerRuntime 'podman'"))
        .anyMatch(p -> p.contains("missing_key cannot be read"))
        .anyMatch(p -> p.startsWith("line 6: host name 'a' is used twice"))
        .anyMatch(p -> p.contains("taint 'oops'"))
        .anyMatch(p -> p.contains("gpu must be true or false"))
        .anyMatch(p -> p.contains("port '70000' is no TCP port"))
        .anyMatch(p -> p.contains("no host has role server"));
    assertThat(e.fix()).contains("nothing was done on any host");
  }

  @Test
  void anEvenNumberOfServersIsAWarningAboutQuorum() {
    Inventory inv = parse(HA.substring(0, HA.indexOf("  - name: server-3")));
    assertThat(inv.servers()).hasSize(2);
    assertThat(inv.warnings()).singleElement().asString().contains("use an odd number");
  }

  @Test
  void notYamlAndNotAMapping() {
    assertThat(problems("cluster: [").problems())
        .singleElement()
        .asString()
        .startsWith("not valid YAML");
    assertThat(problems("- a\n- b\n").problems())
        .singleElement()
        .asString()
        .startsWith("line 1: expected a mapping");
    assertThatThrownBy(() -> InventoryLoader.load(dir.resolve("nope.yaml")))
        .isInstanceOf(InventoryException.class)
        .hasMessageContaining("cannot read it");
  }

  @Test
  void gpuAndStorageSectionsHaveDefaultsAndResolveTheNfsServerHost() {
    Inventory plain = parse(HA);
    assertThat(plain.nvidia()).isEqualTo(Inventory.Nvidia.DEFAULTS);
    assertThat(plain.storage().mode()).isEqualTo(Inventory.StorageMode.LOCAL_PATH);

    Inventory inv =
        parse(
            HA
                + """
                nvidia: {installDriver: true, timeSlicing: 4}
                storage:
                  mode: nfs-static
                  nfs:
                    server: server-2
                    volumes:
                      - {name: katib-mysql, size: 10Gi}
                      - {name: minio, size: 20Gi}
                """);
    assertThat(inv.nvidia()).isEqualTo(new Inventory.Nvidia(true, 4, false));
    Inventory.Nfs nfs = inv.storage().nfs();
    assertThat(nfs.serverHost()).isEqualTo("server-2");
    assertThat(nfs.address()).isEqualTo("10.0.0.12");
    assertThat(nfs.path()).isEqualTo(Inventory.Nfs.DEFAULT_PATH);
    assertThat(nfs.options()).isEqualTo(Inventory.Nfs.DEFAULT_OPTIONS);
    assertThat(nfs.volumes())
        .extracting(Inventory.StaticVolume::name)
        .containsExactly("katib-mysql", "minio");

    Inventory outside =
        parse(
            HA + "storage: {mode: nfs, nfs: {server: nas.lab.example, path: /export/kubeflow}}\n");
    assertThat(outside.storage().nfs().serverHost()).isNull();
    assertThat(outside.storage().nfs().address()).isEqualTo("nas.lab.example");
  }

  private static String withRegistries(String registries) {
    String old = HA.substring(HA.indexOf("registries:"), HA.indexOf("ssh:"));
    return HA.replace(old, registries);
  }

  @Test
  void badRegistriesAreReportedEachWithItsFix() {
    String msg =
        problems(
                withRegistries(
                        """
                        registries:
                          embeddedRegistry: true
                          mirrors:
                            docker.io: [mirror.lab.example]
                            gcr.io: {rewrite: {"^(.*": "x/$1"}}
                            "https://quay.io": [https://mirror.lab.example]
                          auth:
                            mirror.lab.example: {username: puller, passwordEnv: "not a name"}
                            other.lab.example: {username: puller, passwordEnv: A, tokenEnv: B}
                          tls:
                            mirror.lab.example: {certFile: client.pem}
                            "https://x": {caFile: missing-ca.pem}
                        """)
                    .replace("v1.32.4+k3s1", "v1.31.2+k3s1"))
            .getMessage();
    assertThat(msg)
        .contains("endpoint 'mirror.lab.example' has no scheme: write https://mirror.lab.example")
        .contains("'^(.*' is no regular expression")
        .contains("registries.mirrors.https://quay.io is no registry name")
        .contains("passwordEnv names an environment variable: 'not a name' is not one")
        .contains("registries.auth.other.lab.example needs either username and passwordEnv, or")
        .contains("a client certificate needs certFile and keyFile")
        .contains("registries.tls.https://x must be a registry host")
        .contains("missing-ca.pem cannot be read")
        .contains("needs k3s v1.29.12, v1.30.8, v1.31.4 or newer")
        .doesNotContain("gcr.io has no endpoints");
    assertThat(
            problems(
                    withRegistries(
                        "registries: {mirrors: {gcr.io: {rewrite: {\"^(.*)$\": \"x/$1\"}}}}\n"))
                .getMessage())
        .contains("registries.mirrors.gcr.io has no endpoints (k3s ignores a rewrite without one)");
    assertThat(
            problems(withRegistries("registries: {disableDefaultEndpoint: true}\n")).getMessage())
        .contains("disableDefaultEndpoint without mirrors leaves no endpoint at all");
    assertThat(
            problems(
                    withRegistries("registries: {embeddedRegistry: true}\n")
                        .replace("v1.32.4+k3s1", "v1.33.4+k3s1"))
                .getMessage())
        .contains("embeddedRegistry shares only the registries listed under mirrors");
    Inventory spegel =
        parse(
            withRegistries(
                    "registries: {embeddedRegistry: true, mirrors: {docker.io: {},"
                        + " registry.k8s.io: {}}}\n")
                .replace("v1.32.4+k3s1", "v1.33.4+k3s1"));
    assertThat(spegel.registries().mirrors().get("docker.io").endpoints()).isEmpty();
    assertThat(spegel.registries().embeddedRegistry()).isTrue();
  }

  @Test
  void imageArchivesMustBeWhatK3sImports() throws Exception {
    for (String f : List.of("k3s", "images.tar.zst", "install.sh", "kf.tar", "kf.zip")) {
      Files.writeString(dir.resolve(f), f);
    }
    Files.createDirectories(dir.resolve("other"));
    Files.writeString(dir.resolve("other/kf.tar"), "same name");
    String airgap =
        "airgap: {k3sBinary: k3s, images: images.tar.zst, installScript: install.sh,"
            + " imageArchives: [%s]}\n";
    assertThat(parse(HA + airgap.formatted("kf.tar")).airgap().imageArchives())
        .containsExactly(dir.resolve("kf.tar"));
    assertThat(
            problems(HA + airgap.formatted("kf.zip, missing.tar.gz, kf.tar, other/kf.tar"))
                .problems())
        .anyMatch(p -> p.contains("kf.zip is not an archive k3s imports: give .tar, .tar.gz"))
        .anyMatch(p -> p.contains("missing.tar.gz cannot be read"))
        .anyMatch(p -> p.contains("two archives are named kf.tar"));
  }

  @Test
  void badGpuAndStorageSettingsAreReportedWithTheirLines() {
    String msg =
        problems(
                HA
                    + """
                    nvidia: {timeSlicing: 0, operator: true, installDriver: maybe}
                    storage:
                      mode: nfs-static
                      nfs:
                        server: server-1
                        path: relative/dir
                        options: "rw; rm -rf /"
                        volumes:
                          - {name: Bad_Name, size: 10GB}
                    """)
            .getMessage();
    assertThat(msg)
        .contains("nvidia.timeSlicing '0' must be a number of pods per GPU from 1")
        .contains("installDriver must be true or false, not 'maybe'")
        .contains("storage.nfs.path 'relative/dir' must be an absolute directory")
        .contains("storage.nfs.options 'rw; rm -rf /' is not a comma-separated list")
        .contains("volume name 'Bad_Name' must be a DNS label")
        .contains("volume size '10GB' must be a whole number of Mi, Gi or Ti");
    assertThat(problems(HA + "storage: {mode: nfs}\n").getMessage())
        .contains("storage.mode nfs needs storage.nfs with server");
    assertThat(problems(HA + "storage: {mode: ceph}\n").getMessage())
        .contains("storage.mode 'ceph' is none of local-path, nfs, nfs-static, existing");
    assertThat(problems(HA + "storage: {mode: nfs-static, nfs: {server: server-1}}\n").getMessage())
        .contains("needs storage.nfs.volumes");
    assertThat(problems(HA + "nvidia: {operator: true, timeSlicing: 2}\n").getMessage())
        .contains("leaves the driver and device plugin to the GPU Operator");
  }

  @Test
  void gpuHostsNeedAK3sThatCanMakeNvidiaTheDefaultRuntime() {
    assertThat(
            new Inventory.K3s("v1.28.4+k3s2", List.of(), null, List.of(), null).hasDefaultRuntime())
        .isFalse();
    assertThat(
            new Inventory.K3s("v1.28.5+k3s1", List.of(), null, List.of(), null).hasDefaultRuntime())
        .isTrue();
    assertThat(
            new Inventory.K3s("v1.27.9+k3s1", List.of(), null, List.of(), null).hasDefaultRuntime())
        .isTrue();
    assertThat(
            new Inventory.K3s("v1.26.11+k3s2", List.of(), null, List.of(), null)
                .hasDefaultRuntime())
        .isFalse();
    assertThat(
            new Inventory.K3s(InventoryLoader.DEFAULT_K3S_VERSION, List.of(), null, List.of(), null)
                .hasDefaultRuntime())
        .isTrue();
    String old = HA.replace("version: v1.32.4+k3s1", "version: v1.28.4+k3s2");
    assertThat(old).contains("v1.28.4+k3s2");
    assertThat(problems(old).getMessage())
        .contains("k3s v1.28.4+k3s2 cannot make nvidia the default container runtime");
    assertThat(parse(old + "nvidia: {operator: true}\n").k3s().version()).isEqualTo("v1.28.4+k3s2");
  }

  @Test
  void sudoYesIsTrueAndAnythingElseThatIsNoBooleanIsAnError() {
    String one =
        """
        cluster: lab
        k3s: {token: {env: K3S_TOKEN}}
        hosts: [{name: a, address: 10.0.0.11, role: server, user: ubuntu, sudo: %s}]
        """;
    assertThat(parse(one.formatted("yes")).hosts().get(0).sudo()).as("sudo: yes").isTrue();
    assertThat(parse(one.formatted("no")).hosts().get(0).sudo()).as("sudo: no").isFalse();
    assertThat(problems(one.formatted("maybe")).problems())
        .anySatisfy(p -> assertThat(p).contains("sudo must be true or false, not 'maybe'"));
  }

  @Test
  void anAddressThatIsNoAddressIsReportedAsSuch() {
    String one =
        """
        cluster: lab
        k3s: {token: {env: K3S_TOKEN}}
        hosts: [{name: a, address: "%s", role: server}]
        """;
    assertThat(problems(one.formatted("10.77.0.999")).problems())
        .anySatisfy(
            p ->
                assertThat(p)
                    .contains("address '10.77.0.999' is neither an IP address nor a host name"));
    assertThat(problems(one.formatted("10.77.0.999")).problems())
        .as("said once")
        .filteredOn(p -> p.contains("10.77.0.999"))
        .hasSize(1);
    assertThat(problems(one.formatted("10.0.0")).problems())
        .anySatisfy(p -> assertThat(p).contains("'10.0.0'"));
    assertThat(problems(one.formatted("bad host!")).problems())
        .anySatisfy(p -> assertThat(p).contains("'bad host!'"));
    assertThat(parse(one.formatted("node-1.lab.example")).hosts().get(0).address())
        .isEqualTo("node-1.lab.example");
    assertThat(parse(one.formatted("fd00::11")).hosts().get(0).address()).isEqualTo("fd00::11");
  }
}
