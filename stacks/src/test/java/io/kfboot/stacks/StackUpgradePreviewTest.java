package io.kfboot.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.pulumi.core.Output;
import com.pulumi.core.internal.Internal;
import com.pulumi.test.TestResult;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.upgrade.UpgradeException;
import io.kfboot.manifests.source.ReleaseRef;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.platform.PlatformListener;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.ReleasePlanner;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change of the stack's release shows kfboot upgrade's plan in {@code pulumi preview}, from the
 * cluster's own record of what kfboot installed; what kfboot refuses fails the program.
 */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class StackUpgradePreviewTest {
  @TempDir Path tmp;

  @Test
  void aReleaseChangePreviewsTheUpgradeAndADowngradeFailsTheProgram() throws Exception {
    Fixtures.kustomize();
    ReleaseRef v1101 = Catalogs.shipped().byTag("v1.10.1").orElseThrow();
    String v1101Tarball = Fixtures.tarball(v1101).toString();
    String v1102Tarball = Fixtures.tarball(Fixtures.V1_10_2).toString();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      String kubeconfig = cluster.kubeconfig();
      Map<String, String> env = new HashMap<>();
      // kustomize as the machine has it (PATH, or KFBOOT_KUSTOMIZE), nothing else inherited
      System.getenv()
          .forEach(
              (k, v) -> {
                if (k.equals("PATH") || k.equals("KFBOOT_KUSTOMIZE")) {
                  env.put(k, v);
                }
              });
      env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
      env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
      env.put("XDG_STATE_HOME", tmp.resolve("state").toString());
      record(client, v1101Tarball, "v1.10.1", env);
      int writes = cluster.writes().size();

      StackConfig stack =
          StackConfig.parse(Map.of("manifests", v1102Tarball), Set.of("kubeconfig"), Path.of("."));
      JsonNode plan =
          new ObjectMapper()
              .readTree(
                  exported(
                      preview(
                          kubeconfig,
                          PulumiProgram.upgradePreview(stack, env, "v1.10.2"),
                          new ArrayList<>())));
      assertThat(plan.get("from").asText()).isEqualTo("v1.10.1");
      assertThat(plan.get("to").asText()).isEqualTo("v1.10.2");
      assertThat(plan.get("refused")).isEmpty();
      assertThat(plan.get("components").toString()).contains("namespace-labels-data");
      assertThat(cluster.writes()).as("the preview writes nothing").hasSize(writes);

      // the same release: no upgrade, no plan
      StackConfig same =
          StackConfig.parse(Map.of("manifests", v1101Tarball), Set.of("kubeconfig"), Path.of("."));
      assertThat(
              exported(
                  preview(
                      kubeconfig,
                      PulumiProgram.upgradePreview(same, env, "v1.10.1"),
                      new ArrayList<>())))
          .isEmpty();

      // v1.10.2 recorded, the stack set back to v1.10.1: refused as kfboot upgrade refuses it
      record(client, v1102Tarball, "v1.10.2", env);
      List<Exception> thrown = new ArrayList<>();
      preview(kubeconfig, PulumiProgram.upgradePreview(same, env, "v1.10.1"), thrown);
      assertThat(thrown)
          .anySatisfy(
              e ->
                  assertThat(causes(e))
                      .anySatisfy(
                          c ->
                              assertThat(c)
                                  .isInstanceOf(UpgradeException.class)
                                  .hasMessageContaining("kfboot does not downgrade")));
    }
  }

  /** What 'kfboot install' of a release leaves as its record (the install itself is not needed). */
  private static void record(
      KubernetesClient client, String tarball, String release, Map<String, String> env) {
    PlatformSettings settings =
        PlatformSettings.resolve(
            StackInputs.settings(
                StackConfig.parse(
                    Map.of("manifests", tarball), Set.of("kubeconfig"), Path.of("."))),
            env);
    List<String> ids = new ArrayList<>(List.of("storage"));
    new ReleasePlanner(settings, PlatformListener.SILENT)
        .releasePlan()
        .components()
        .forEach(c -> ids.add(c.id()));
    client
        .configMaps()
        .inNamespace(InstallState.NAMESPACE)
        .resource(new InstallState(release, "", tarball, "installed", ids, "").toConfigMap())
        .forceConflicts()
        .serverSideApply();
  }

  private static TestResult preview(
      String kubeconfig, KfbootStack.UpgradePreview preview, List<Exception> thrown) {
    StackHarness h = new StackHarness();
    TestResult r =
        h.run(
            ctx ->
                ctx.export(
                    "upgradePlan",
                    KfbootStack.upgradePlan(ctx, Output.ofSecret(kubeconfig), preview)));
    thrown.addAll(r.exceptions());
    return r;
  }

  private static String exported(TestResult r) {
    assertThat(r.exceptions()).isEmpty();
    return String.valueOf(Internal.of(r.output("upgradePlan")).getValueOrDefault("").join());
  }

  private static List<Throwable> causes(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    for (Throwable t = e; t != null && !out.contains(t); t = t.getCause()) {
      out.add(t);
    }
    return out;
  }
}
