package io.kfboot.components.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayCertificatesTest {
  static Map<String, Object> servingSpec(String host) {
    GatewayConfig g =
        GatewayConfigReaderTest.parse(
            "  expose: loadBalancer\n  host: " + host + "\n  tls: {mode: selfSigned}\n");
    List<K8sObject> objects = GatewayCertificates.objects(g);
    assertThat(objects)
        .extracting(o -> o.kind() + " " + o.name())
        .containsExactly(
            "Issuer " + GatewayPatch.SELF_SIGNED_ISSUER,
            "Certificate " + GatewayPatch.CA_CERTIFICATE,
            "Issuer " + GatewayPatch.CA_ISSUER,
            "Certificate " + GatewayPatch.CERTIFICATE);
    return Trees.map(objects.get(3).body().get("spec"));
  }

  @Test
  void aNameIsADnsSanAndAnAddressAnIpSan() {
    assertThat(servingSpec("kubeflow.lab.example"))
        .containsEntry("dnsNames", List.of("kubeflow.lab.example"))
        .containsEntry("commonName", "kubeflow.lab.example")
        .doesNotContainKey("ipAddresses");
    assertThat(servingSpec("10.0.0.5"))
        .containsEntry("ipAddresses", List.of("10.0.0.5"))
        .doesNotContainKey("dnsNames");
  }

  @Test
  void aNameLongerThanACommonNameMayBeIsInTheSansOnly() {
    String host = "a".repeat(40) + "." + "b".repeat(30) + ".example";
    assertThat(servingSpec(host))
        .containsEntry("dnsNames", List.of(host))
        .doesNotContainKey("commonName");
  }
}
