package io.kfboot.components.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.components.access.AccessConfigLoader;
import io.kfboot.components.gateway.GatewayConfig.Expose;
import io.kfboot.components.gateway.GatewayConfig.TlsMode;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GatewayConfigReaderTest {
  static GatewayConfig parse(String gateway) {
    return AccessConfigLoader.parse("gateway:\n" + gateway, "inventory.yaml", Path.of("."))
        .gateway();
  }

  static String refusal(String gateway) {
    try {
      parse(gateway);
    } catch (KfbootException e) {
      assertThat(e.category()).isEqualTo(ExitCategory.INVALID_INPUT);
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + gateway);
  }

  @Test
  void selfSignedOnALoadBalancerHasAnHttpsBaseWithoutPort() {
    GatewayConfig g =
        parse("  expose: loadBalancer\n  host: Kubeflow.Lab.example\n  tls: {mode: selfSigned}\n");
    assertThat(g.expose()).isEqualTo(Expose.LOAD_BALANCER);
    assertThat(g.host()).isEqualTo("kubeflow.lab.example");
    assertThat(g.tls().mode()).isEqualTo(TlsMode.SELF_SIGNED);
    assertThat(g.publicBase()).contains(URI.create("https://kubeflow.lab.example"));
  }

  @Test
  void aNodePortBaseCarriesThePinnedHttpsPort() {
    GatewayConfig g =
        parse(
            "  expose: nodePort\n  host: 10.0.0.5\n  nodePorts: {http: 31080, https: 31443}\n"
                + "  tls: {mode: selfSigned}\n");
    assertThat(g.hostIsAddress()).isTrue();
    assertThat(g.publicBase()).contains(URI.create("https://10.0.0.5:31443"));
    assertThat(g.httpNodePort()).isEqualTo(31080);
  }

  @Test
  void noSectionIsUpstreamsPortForward() {
    GatewayConfig g =
        AccessConfigLoader.parse("cluster: lab\n", "inventory.yaml", Path.of(".")).gateway();
    assertThat(g).isEqualTo(GatewayConfig.DEFAULTS);
    assertThat(g.publicBase()).isEqualTo(Optional.empty());
    assertThat(g.problem()).isEmpty();
  }

  @Test
  void plainHttpOnAnAddressIsRefusedNamingBothFixes() {
    String m = refusal("  expose: loadBalancer\n  host: kubeflow.lab.example\n");
    assertThat(m)
        .contains("line 2")
        .contains("CSRF cookie XSRF-TOKEN")
        .contains("gateway.tls")
        .contains("gateway.allowInsecureHttp: true");
    GatewayConfig insecure =
        parse("  expose: nodePort\n  host: lab.example\n  allowInsecureHttp: true\n");
    assertThat(insecure.publicBase()).contains(URI.create("http://lab.example:30080"));
  }

  @Test
  void mixedAndIncompleteCombinationsAreRefused() {
    assertThat(
            refusal(
                "  expose: loadBalancer\n  host: a.example\n  tls: {mode: selfSigned}\n"
                    + "  allowInsecureHttp: true\n"))
        .contains("exclude each other");
    assertThat(refusal("  expose: loadBalancer\n  tls: {mode: selfSigned}\n"))
        .contains("gateway.tls needs gateway.host");
    assertThat(refusal("  host: a.example\n  tls: {mode: selfSigned}\n"))
        .contains("needs the gateway exposed");
    assertThat(
            refusal(
                "  expose: nodePort\n  host: a.example\n"
                    + "  tls: {mode: acme, acme: {email: ops@a.example}}\n"))
        .contains("HTTP-01 challenge needs port 80");
    assertThat(
            refusal(
                "  expose: loadBalancer\n  host: 10.1.2.3\n"
                    + "  tls: {mode: acme, acme: {email: ops@a.example}}\n"))
        .contains("needs a DNS name");
    assertThat(
            refusal("  expose: loadBalancer\n  host: a.example\n  tls: {mode: existingSecret}\n"))
        .contains("secretName is missing");
    assertThat(refusal("  expose: ingress\n")).contains("gateway.expose 'ingress'");
    assertThat(refusal("  expose: loadBalancer\n  host: https://a.example\n"))
        .contains("without scheme or port");
    assertThat(refusal("  nodePorts: {http: 80}\n  allowInsecureHttp: true\n"))
        .contains("from 30000 to 32767")
        .contains("only for gateway.expose nodePort");
  }

  @Test
  void dns01SecretsAreReferencesNeverInline() {
    GatewayConfig g =
        parse(
            "  expose: loadBalancer\n  host: kubeflow.example.org\n  tls:\n    mode: acme\n"
                + "    acme:\n      email: ops@example.org\n      dns01:\n        cloudflare:\n"
                + "          apiTokenSecretRef: {name: cloudflare, key: token}\n");
    assertThat(g.tls().acme().http01()).isFalse();
    assertThat(g.tls().acme().server()).isEqualTo(GatewayConfig.Acme.LETS_ENCRYPT);
    assertThat(g.tls().acme().dns01())
        .isEqualTo(
            Map.of(
                "cloudflare",
                Map.of("apiTokenSecretRef", Map.of("name", "cloudflare", "key", "token"))));

    String m =
        refusal(
            "  expose: loadBalancer\n  host: kubeflow.example.org\n  tls:\n    mode: acme\n"
                + "    acme:\n      email: ops@example.org\n      dns01:\n        cloudflare:\n"
                + "          apiToken: s3cr3t-t0ken\n");
    assertThat(m).contains("line 10").contains("apiTokenSecretRef").doesNotContain("s3cr3t-t0ken");
  }
}
