package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kfboot upgrade --plan against the simulated cluster, with v1.10.1 installed by kfboot. */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class UpgradeCliTest {
  @TempDir Path tmp;

  @Test
  @DisplayName(
      "v1.10.1 -> v1.10.2 is planned read-only: the diff per component, a CRD with objects kept"
          + " and one without pruned, the backup; refusals name their fix")
  void planOnAnInstalledCluster() throws Exception {
    String v1101 = Fixtures.tarball(Catalogs.shipped().byTag("v1.10.1").orElseThrow()).toString();
    String v1102 = Fixtures.tarball(Fixtures.V1_10_2).toString();
    Fixtures.kustomize();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      Map<String, String> env = CliRun.env(tmp);
      env.put("KUBECONFIG", CliRun.kubeconfig(tmp, cluster).toString());
      env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
      env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());

      CliRun nothing = CliRun.of(env, "upgrade", "--to", "v1.10.2", "--plan");
      assertThat(nothing.code()).isEqualTo(ExitCodes.UNEXPECTED_STATE);
      assertThat(nothing.err()).contains("kfboot has installed nothing").contains("fix:");

      CliRun install =
          CliRun.of(
              env,
              "install",
              "--manifests",
              v1101,
              "--poll-interval",
              "10ms",
              "--timeout",
              "2m",
              "--no-watch");
      assertThat(install.code()).as(install.err()).isZero();

      // two CRDs an earlier release left, which v1.10.2 does not have: one still has an object
      crd(client, "legacyjobs.kubeflow.org", "LegacyJob", "legacyjobs");
      crd(client, "unusedjobs.kubeflow.org", "UnusedJob", "unusedjobs");
      createWhenEstablished(client, "legacyjobs", "LegacyJob", "kubeflow", "a-users-job");
      AppliedInventory inventory =
          AppliedInventory.read(client)
              .orElseThrow()
              .plus(
                  new InstallPlan(
                      null,
                      "",
                      List.of(
                          leftByAnEarlierRelease(
                              "training-operator",
                              "legacyjobs.kubeflow.org",
                              "unusedjobs.kubeflow.org")),
                      List.of()),
                  "default");
      client
          .configMaps()
          .inNamespace(AppliedInventory.NAMESPACE)
          .resource(inventory.toConfigMap())
          .forceConflicts()
          .serverSideApply();
      int writesBefore = changingWrites(cluster);

      CliRun plan =
          CliRun.of(
              env, "upgrade", "--to", "v1.10.2", "--manifests", v1102, "--plan", "-o", "json");
      assertThat(plan.code()).as(plan.err()).isZero();
      assertThat(changingWrites(cluster)).as("the plan writes nothing").isEqualTo(writesBefore);
      JsonNode json = new ObjectMapper().readTree(plan.out());
      assertThat(json.get("from").asText()).isEqualTo("v1.10.1");
      assertThat(json.get("to").asText()).isEqualTo("v1.10.2");
      assertThat(json.get("refused")).isEmpty();
      assertThat(json.get("backups").toString()).contains("mysqldump").contains("katib");
      Map<String, JsonNode> removed = new HashMap<>();
      json.get("components")
          .forEach(c -> c.get("removed").forEach(r -> removed.put(r.get("object").asText(), r)));
      assertThat(
              removed
                  .get("ConfigMap kubeflow/namespace-labels-data-4df5t8mdgf")
                  .get("pruned")
                  .asBoolean())
          .isTrue();
      JsonNode legacy = removed.get("CustomResourceDefinition legacyjobs.kubeflow.org");
      assertThat(legacy.get("pruned").asBoolean()).isFalse();
      assertThat(legacy.get("whatToDo").asText())
          .contains("kubectl delete crd legacyjobs.kubeflow.org");
      assertThat(
              removed
                  .get("CustomResourceDefinition unusedjobs.kubeflow.org")
                  .get("pruned")
                  .asBoolean())
          .isTrue();

      CliRun text = CliRun.of(env, "upgrade", "--to", "v1.10.2", "--manifests", v1102, "--plan");
      assertThat(text.code()).as(text.err()).isZero();
      assertThat(text.out())
          .contains("upgrade v1.10.1 -> v1.10.2 (read-only plan; nothing was changed)")
          .contains("steps of v1.10.1 -> v1.10.2:\n  none beyond apply and prune")
          .contains("kept, not pruned")
          .contains(
              "legacyjobs.kubeflow.org: deleting a CRD deletes every object of its kind, which"
                  + " users made (1 on the cluster)");

      CliRun down = CliRun.of(env, "upgrade", "--to", "v1.10.0", "--plan");
      assertThat(down.code()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(down.err()).contains("kfboot does not downgrade").contains("kfboot restore");
      // the backup comes first: with no MySQL pod running it fails, and nothing is changed
      CliRun noDatabase =
          CliRun.of(
              env, "upgrade", "--to", "v1.10.2", "--manifests", v1102, "--poll-interval", "10ms");
      assertThat(noDatabase.code()).as(noDatabase.err()).isEqualTo(ExitCodes.UNEXPECTED_STATE);
      assertThat(noDatabase.err()).contains("no running pod app=mysql in kubeflow to back up from");
      Path inTheWay = Files.writeString(tmp.resolve("in-the-way"), "x");
      CliRun unwritable =
          CliRun.of(
              env,
              "upgrade",
              "--to",
              "v1.10.2",
              "--manifests",
              v1102,
              "--backup-dir",
              inTheWay.resolve("backup").toString());
      assertThat(unwritable.code()).as(unwritable.err()).isEqualTo(ExitCodes.INVALID_INPUT);
      assertThat(unwritable.err()).contains("cannot be written").contains("--backup-dir");
      assertThat(changingWrites(cluster)).isEqualTo(writesBefore);

      CliRun upgrade =
          CliRun.of(
              env,
              "upgrade",
              "--to",
              "v1.10.2",
              "--manifests",
              v1102,
              "--skip-backup",
              "--skip-verify",
              "--poll-interval",
              "10ms",
              "--timeout",
              "2m",
              "--no-watch");
      assertThat(upgrade.code()).as(upgrade.err()).isZero();
      assertThat(upgrade.out())
          .contains("upgraded v1.10.1 -> v1.10.2")
          .contains("kept: CustomResourceDefinition legacyjobs.kubeflow.org");
      JsonNode status = new ObjectMapper().readTree(CliRun.of(env, "status", "-o", "json").out());
      assertThat(status.get("release").asText()).isEqualTo("v1.10.2");
      assertThat(status.get("phase").asText()).isEqualTo("installed");
      assertThat(
              client
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName("unusedjobs.kubeflow.org")
                  .get())
          .as("a dropped CRD without objects is pruned")
          .isNull();
      assertThat(
              client
                  .apiextensions()
                  .v1()
                  .customResourceDefinitions()
                  .withName("legacyjobs.kubeflow.org")
                  .get())
          .isNotNull();

      int afterUpgrade = changingWrites(cluster);
      CliRun again =
          CliRun.of(env, "upgrade", "--to", "v1.10.2", "--manifests", v1102, "--skip-backup");
      assertThat(again.code()).as(again.err()).isZero();
      assertThat(again.out()).contains("holds v1.10.2 already: nothing to do");
      assertThat(changingWrites(cluster)).isEqualTo(afterUpgrade);
    }
  }

  private static PlannedComponent leftByAnEarlierRelease(String id, String... crds) {
    List<K8sObject> objects = new ArrayList<>();
    for (String crd : crds) {
      objects.add(
          new AppliedInventory.Entry("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", crd)
              .toObject());
    }
    return new PlannedComponent(
        new ComponentSpec(id, "", List.of(), List.of(), List.of(), List.of(), true, false),
        0,
        objects,
        List.of(),
        new TreeSet<>(),
        new TreeSet<>(),
        ResourceRequests.ZERO,
        List.of());
  }

  private static int changingWrites(SimulatedCluster cluster) {
    return (int) cluster.writes().stream().filter(w -> !w.op().equals("UNCHANGED")).count();
  }

  private static void crd(KubernetesClient client, String name, String kind, String plural) {
    CustomResourceDefinition crd =
        new CustomResourceDefinitionBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withGroup("kubeflow.org")
            .withScope("Namespaced")
            .withNewNames()
            .withKind(kind)
            .withPlural(plural)
            .endNames()
            .addNewVersion()
            .withName("v1")
            .withServed(true)
            .withStorage(true)
            .endVersion()
            .endSpec()
            .build();
    client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
  }

  /** The simulated cluster establishes a CRD after its latency; until then it answers 404. */
  private static void createWhenEstablished(
      KubernetesClient client, String plural, String kind, String namespace, String name)
      throws InterruptedException {
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup("kubeflow.org")
            .withVersion("v1")
            .withKind(kind)
            .withPlural(plural)
            .withNamespaced(true)
            .build();
    GenericKubernetesResource job =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("kubeflow.org/v1")
            .withKind(kind)
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .endMetadata()
            .build();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (true) {
      try {
        client.genericKubernetesResources(context).inNamespace(namespace).resource(job).create();
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404 || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }
}
