package io.kfboot.components.k3s;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ManifestParser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IstioCniK3sPathsTest {
  private final IstioCniK3sPaths adaptation = new IstioCniK3sPaths();

  private static K8sObject cniNode(String volumes) {
    return ManifestParser.parse(
            """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: istio-cni-node, namespace: kube-system}
            spec:
              template:
                spec:
                  volumes:
            """
                + volumes.indent(6),
            "test")
        .get(0);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> volumes(K8sObject o) {
    Map<String, Object> spec = (Map<String, Object>) o.body().get("spec");
    Map<String, Object> template = (Map<String, Object>) spec.get("template");
    return (List<Map<String, Object>>) ((Map<String, Object>) template.get("spec")).get("volumes");
  }

  @Test
  void pointsUpstreamCniFoldersAtK3sAndLeavesOtherVolumesAlone() {
    K8sObject upstream =
        cniNode(
            """
            - {name: cni-bin-dir, hostPath: {path: /opt/cni/bin}}
            - {name: cni-net-dir, hostPath: {path: /etc/cni/net.d}}
            - {name: cni-log-dir, hostPath: {path: /var/run/istio-cni}}
            """);
    assertThat(adaptation.appliesTo(upstream)).isTrue();

    K8sObject adapted = adaptation.apply(upstream);

    assertThat(volumes(adapted))
        .extracting(v -> (Object) ((Map<?, ?>) v.get("hostPath")).get("path"))
        .containsExactly(
            IstioCniK3sPaths.K3S_CNI_BIN, IstioCniK3sPaths.K3S_CNI_CONF, "/var/run/istio-cni");
    assertThat(volumes(upstream).get(0).get("hostPath"))
        .as("the input is not changed")
        .isEqualTo(Map.of("path", "/opt/cni/bin"));
    assertThat(adaptation.appliesTo(adapted)).as("applying twice changes nothing").isFalse();
  }

  @Test
  void aCniNodeWithoutTheUpstreamVolumesIsConcernedButNotChanged() {
    K8sObject reshaped = cniNode("- {name: cni-plugins, hostPath: {path: /opt/cni/bin}}\n");

    assertThat(adaptation.concerns(reshaped)).isTrue();
    assertThat(adaptation.appliesTo(reshaped)).isFalse();
  }

  @Test
  void otherObjectsAreNotConcerned() {
    K8sObject gateway =
        ManifestParser.parse(
                "apiVersion: v1\n"
                    + "kind: Service\n"
                    + "metadata: {name: istio-cni-node, namespace: kube-system}\n",
                "test")
            .get(0);

    assertThat(adaptation.concerns(gateway)).isFalse();
    assertThat(adaptation.appliesTo(gateway)).isFalse();
  }
}
