package io.kfboot.bootstrap.k3s;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.testing.Golden;
import org.junit.jupiter.api.Test;

class KubeconfigsTest {
  /** The shape k3s writes to /etc/rancher/k3s/k3s.yaml (certificates shortened). */
  static final String K3S_YAML =
      """
      apiVersion: v1
      clusters:
      - cluster:
          certificate-authority-data: LS0tLS1CRUdJTi1DQQ==
          server: https://127.0.0.1:6443
        name: default
      contexts:
      - context:
          cluster: default
          user: default
        name: default
      current-context: default
      kind: Config
      preferences: {}
      users:
      - name: default
        user:
          client-certificate-data: LS0tLS1DRVJU
          client-key-data: LS0tLS1LRVk=
      """;

  static final String EXISTING =
      """
      apiVersion: v1
      kind: Config
      clusters:
      - name: prod
        cluster: {server: https://prod.example:6443}
      - name: lab
        cluster: {server: https://old-lab:6443}
      users:
      - name: prod
        user: {token: abc}
      contexts:
      - name: prod
        context: {cluster: prod, user: prod}
      current-context: prod
      """;

  @Test
  void k3sConfigIsRenamedPointedAtTheEndpointAndMergedKeepingOtherClusters() throws Exception {
    var lab = Kubeconfigs.fromK3s(K3S_YAML, "lab", "https://10.0.0.10:6443");
    String merged = Kubeconfigs.merge(EXISTING, lab);
    Golden.check("kubeconfig/merged.yaml", merged);
    assertThat(merged)
        .contains("https://prod.example:6443")
        .doesNotContain("old-lab")
        .doesNotContain("127.0.0.1")
        .contains("current-context: prod");
    assertThat(Kubeconfigs.merge(merged, lab))
        .as("merging again changes nothing")
        .isEqualTo(merged);
    assertThat(Kubeconfigs.merge("", lab)).contains("current-context: lab");
  }
}
