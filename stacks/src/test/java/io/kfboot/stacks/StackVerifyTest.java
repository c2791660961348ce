package io.kfboot.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.pulumi.core.Output;
import com.pulumi.test.TestResult;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.auth.CredentialsPatch;
import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pulumi up} verifies too: the verify step of the stack, under Pulumi's mocks. */
class StackVerifyTest {
  /** The kubeconfigs the upgrade preview was asked about. */
  static final List<String> previewedOn = new CopyOnWriteArrayList<>();

  static InstallPlan release;
  static Credentials credentials;
  @TempDir Path dir;

  @BeforeAll
  static void plan(@TempDir Path tmp) {
    credentials =
        Credentials.loadOrCreate(
                tmp.resolve("credentials.properties"), "admin@example.org", new SecureRandom())
            .credentials();
    release = CredentialsPatch.apply(SimulatedPlans.v1102(), credentials);
  }

  private StackHarness run(Map<String, String> extra) throws Exception {
    Path known =
        Files.writeString(dir.resolve("known_hosts"), "10.0.0.11 " + HostLayerTest.KEY + "\n");
    Map<String, String> values =
        new HashMap<>(Map.of("inventory", HostLayerTest.INVENTORY, "knownHosts", known.toString()));
    values.putAll(extra);
    StackConfig config = StackConfig.parse(values, Set.of("k3sToken", "sshPrivateKey"), dir);
    StackHarness h = new StackHarness();
    TestResult r =
        h.run(
            ctx ->
                KfbootStack.define(
                    ctx,
                    config,
                    release,
                    credentials,
                    new KfbootStack.Secrets(Output.ofSecret("t"), Output.ofSecret("k"), null),
                    dir.resolve("inventory.yaml").toString(),
                    "kfboot",
                    dir.resolve("stack.credentials"),
                    kubeconfig -> {
                      previewedOn.add(kubeconfig);
                      return Optional.empty();
                    }));
    assertThat(r.exceptions()).isEmpty();
    h.result = r;
    return h;
  }

  @Test
  void verifyRunsAfterEveryComponentAndTheHostsWithTheKubeconfigOnlyInItsSecretEnvironment()
      throws Exception {
    StackHarness h = run(Map.of("verifySkip", "[inference-service]"));
    StackHarness.Registered verify = h.byName.get(KfbootStack.VERIFY);
    assertThat(verify).isNotNull();
    // the upgrade preview looks at the cluster the host layer made, through its kubeconfig
    assertThat(previewedOn)
        .isNotEmpty()
        .allSatisfy(k -> assertThat(k).contains("https://10.0.0.10:6443"));
    Set<String> components =
        h.order.stream()
            .map(h.byName::get)
            .filter(r -> r.type().startsWith("kfboot:kubeflow:"))
            .map(StackHarness.Registered::name)
            .collect(Collectors.toSet());
    assertThat(components).contains("storage", "cert-manager", "nvidia-device-plugin");
    assertThat(verify.dependsOn())
        .containsAll(components)
        .contains("kfboot-install-state", "server-1-kubeconfig");
    String create = String.valueOf(verify.inputs().get("create"));
    assertThat(create)
        .startsWith("kfboot verify --report-junit ")
        .contains("--credentials " + dir.resolve("stack.credentials"))
        .contains("--skip inference-service")
        .doesNotContain("apiVersion")
        .doesNotContain("BEGIN");
    assertThat(verify.secretInputs())
        .as("the kubeconfig travels in the secret environment")
        .isTrue();
    assertThat(String.valueOf(verify.inputs().get("triggers")))
        .contains("v1.10.2")
        .contains(release.tree().release().commit())
        .contains("cert-manager");
    assertThat(h.result.outputs()).containsKeys("verifyReport", "verifyJunit");
  }

  @Test
  void theBackupAnUpgradeTakesRunsAfterTheHostsAndBeforeTheStackWritesToTheCluster()
      throws Exception {
    StackHarness h = run(Map.of());
    StackHarness.Registered backup = h.byName.get(KfbootStack.BACKUP);
    assertThat(backup).isNotNull();
    assertThat(String.valueOf(backup.inputs().get("create")))
        .isEqualTo("kfboot backup --before-upgrade-to v1.10.2");
    assertThat(backup.secretInputs())
        .as("the kubeconfig travels in the secret environment")
        .isTrue();
    assertThat(backup.dependsOn()).contains("server-1-kubeconfig");
    assertThat(String.valueOf(backup.inputs().get("triggers")))
        .contains("v1.10.2")
        .contains(release.tree().release().commit());
    // the inventory is the stack's first write to the cluster; every component waits for it
    assertThat(h.byName.get("kfboot-inventory").dependsOn()).contains(KfbootStack.BACKUP);
  }

  @Test
  void declaredProfilesAreAppliedByKfbootAfterTheComponentsAndBeforeVerify() throws Exception {
    StackHarness none = run(Map.of());
    assertThat(none.byName).doesNotContainKey(KfbootStack.PROFILES);

    StackHarness h =
        run(
            Map.of(
                "profiles",
                "- name: team-vision\n  owner: alice@lab.example\n"
                    + "  contributors: [{user: bob@lab.example, role: edit}]\n"));
    StackHarness.Registered profiles = h.byName.get(KfbootStack.PROFILES);
    assertThat(profiles).isNotNull();
    assertThat(String.valueOf(profiles.inputs().get("create"))).isEqualTo("kfboot profiles apply");
    assertThat(profiles.secretInputs()).as("kubeconfig and access sections, secret").isTrue();
    assertThat(profiles.dependsOn()).contains("kfboot-install-state", "cert-manager");
    assertThat(h.byName.get(KfbootStack.VERIFY).dependsOn()).contains(KfbootStack.PROFILES);
  }

  @Test
  void externalStoresAreCheckedByKfbootBeforeTheStackWritesToTheCluster() throws Exception {
    StackHarness none = run(Map.of());
    assertThat(none.byName).doesNotContainKey(KfbootStack.STORES_CHECK);

    StackHarness h =
        run(
            Map.of(
                "katib",
                "database:\n  external:\n    host: db.lab.example\n    user: katib\n"
                    + "    passwordRef: {env: KATIB_DB_PASSWORD}\n"));
    StackHarness.Registered check = h.byName.get(KfbootStack.STORES_CHECK);
    assertThat(check).isNotNull();
    assertThat(String.valueOf(check.inputs().get("create"))).isEqualTo("kfboot stores check");
    assertThat(check.secretInputs()).as("the store sections, secret").isTrue();
    assertThat(check.dependsOn()).contains("server-1-kubeconfig");
    assertThat(h.byName.get("kfboot-inventory").dependsOn())
        .as("the first write waits for the check")
        .contains(KfbootStack.STORES_CHECK);
    assertThat(String.valueOf(check.inputs())).doesNotContain("KATIB_DB_PASSWORD=");
  }

  @Test
  void skipVerifyLeavesTheStepOut() throws Exception {
    StackHarness h = run(Map.of("skipVerify", "true"));
    assertThat(h.byName).doesNotContainKey(KfbootStack.VERIFY);
    assertThat(h.result.outputs()).doesNotContainKey("verifyReport");
  }
}
