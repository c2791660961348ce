package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.auth.AuthConfig;
import io.kfboot.components.profiles.ProfileSpec;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's settings with kfboot's precedence: flag, environment, inventory, default. */
class GatewaySettingsTest {
  @TempDir Path tmp;

  Path inventory(String gateway) throws Exception {
    return Files.writeString(
        tmp.resolve("inventory.yaml"),
        "cluster: lab\nk3s:\n  token: {env: K3S_TOKEN}\nhosts:\n"
            + "  - {name: server-1, address: 10.0.0.11, role: server}\n"
            + gateway);
  }

  PlatformSettings resolve(SettingsInput in, Map<String, String> extraEnv) {
    Map<String, String> env = new HashMap<>(Map.of("HOME", tmp.toString()));
    env.putAll(extraEnv);
    return PlatformSettings.resolve(in, env);
  }

  static final String HTTPS_LB =
      "gateway:\n  expose: loadBalancer\n  host: kubeflow.lab.example\n  tls: {mode: selfSigned}\n";

  @Test
  void theInventorysHttpsGatewayGivesTheServiceTypeAndTheIssuer() throws Exception {
    SettingsInput in = new SettingsInput();
    in.inventory = inventory(HTTPS_LB);
    PlatformSettings s = resolve(in, Map.of());
    assertThat(s.selection().gatewayServiceType()).isEqualTo("LoadBalancer");
    assertThat(s.issuer()).isEqualTo("https://kubeflow.lab.example/dex");
    assertThat(s.access().gateway().https()).isTrue();

    in.issuer = "https://login.lab.example/dex";
    assertThat(resolve(in, Map.of()).issuer()).as("--issuer first").isEqualTo(in.issuer);
  }

  @Test
  void theFlagsExposureWinsAndPlainHttpOnAnAddressIsRefusedWithBothFixes() throws Exception {
    SettingsInput in = new SettingsInput();
    in.gatewayServiceType = "NodePort";
    assertThatThrownBy(() -> resolve(in, Map.of()))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("Add gateway.tls")
        .hasMessageContaining("gateway.allowInsecureHttp: true")
        .satisfies(
            e ->
                assertThat(((KfbootException) e).category()).isEqualTo(ExitCategory.INVALID_INPUT));

    in.allowInsecureHttp = true;
    PlatformSettings s = resolve(in, Map.of());
    assertThat(s.selection().gatewayServiceType()).isEqualTo("NodePort");
    assertThat(s.issuer()).as("no host: no public issuer").isEqualTo(AuthConfig.IN_CLUSTER_ISSUER);

    SettingsInput forward = new SettingsInput();
    forward.inventory = inventory(HTTPS_LB);
    forward.gatewayServiceType = "ClusterIP";
    assertThatThrownBy(() -> resolve(forward, Map.of()))
        .as("the flag overrides the inventory's exposure, and TLS needs one")
        .hasMessageContaining("gateway.tls needs the gateway exposed");
  }

  @Test
  void theAccessSectionsComeFromTheEnvironmentBeforeTheInventory() throws Exception {
    SettingsInput in = new SettingsInput();
    in.inventory = inventory("profiles:\n  - {name: from-inventory, owner: a@lab.example}\n");
    assertThat(resolve(in, Map.of()).access().profiles())
        .extracting(ProfileSpec::name)
        .containsExactly("from-inventory");
    PlatformSettings s =
        resolve(
            in,
            Map.of(
                Setting.ACCESS_YAML_ENV,
                "profiles:\n  - {name: from-stack, owner: a@lab.example}\n"));
    assertThat(s.access().profiles()).extracting(ProfileSpec::name).containsExactly("from-stack");
  }
}
