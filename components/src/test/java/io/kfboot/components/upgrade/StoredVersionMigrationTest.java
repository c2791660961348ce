package io.kfboot.components.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * v1.8.1 -> v1.9's Knative DomainMapping migration on the simulated cluster. The mock keeps one
 * copy of an object whatever version it is read in, so what is checked is what kfboot writes: the
 * storage flag, one unchanged write per object, the trimmed storedVersions (which the test sets as
 * an API server that stored v1alpha1 would have).
 */
class StoredVersionMigrationTest {
  private static final UpgradeStep.MigrateStoredVersion STEP =
      new UpgradeStep.MigrateStoredVersion(
          "domainmappings.serving.knative.dev", "v1alpha1", "v1beta1", "why", "source");

  @Test
  @DisplayName(
      "objects stored as v1alpha1 are written again with v1beta1 the storage version, then"
          + " v1alpha1 leaves storedVersions; a rerun writes nothing")
  void migratesAndThenHasNothingToDo() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      storedAsV1alpha1(client, true);
      for (String name : List.of("models.example.com", "docs.example.com")) {
        client
            .genericKubernetesResources(context())
            .inNamespace("team-a")
            .resource(
                new GenericKubernetesResourceBuilder()
                    .withApiVersion("serving.knative.dev/v1beta1")
                    .withKind("DomainMapping")
                    .withNewMetadata()
                    .withName(name)
                    .withNamespace("team-a")
                    .endMetadata()
                    .build())
            .create();
      }
      int before = cluster.writes().size();
      List<String> progress = new ArrayList<>();

      assertThat(new StoredVersionMigration(client, progress::add).migrate(STEP)).isEqualTo(2);

      CustomResourceDefinition crd =
          client.apiextensions().v1().customResourceDefinitions().withName(STEP.crd()).get();
      assertThat(crd.getSpec().getVersions())
          .filteredOn(v -> Boolean.TRUE.equals(v.getStorage()))
          .singleElement()
          .satisfies(v -> assertThat(v.getName()).isEqualTo("v1beta1"));
      assertThat(crd.getStatus().getStoredVersions()).containsExactly("v1beta1");
      assertThat(cluster.writes().subList(before, cluster.writes().size()))
          .filteredOn(w -> w.plural().equals("domainmappings"))
          .extracting(SimulatedCluster.Write::name)
          .containsExactlyInAnyOrder("models.example.com", "docs.example.com");
      assertThat(progress).anyMatch(p -> p.contains("2 objects stored again as v1beta1"));

      int after = cluster.writes().size();
      assertThat(new StoredVersionMigration(client, progress::add).migrate(STEP)).isZero();
      assertThat(cluster.writes()).hasSize(after);
    }
  }

  @Test
  @DisplayName("a CRD that does not serve the version to migrate to is refused with the way round")
  void refusedWhenTheNewVersionIsNotServed() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      storedAsV1alpha1(client, false);
      int before = cluster.writes().size();
      assertThatThrownBy(() -> new StoredVersionMigration(client, p -> {}).migrate(STEP))
          .isInstanceOf(UpgradeException.class)
          .hasMessageContaining("does not serve v1beta1");
      assertThat(cluster.writes()).hasSize(before);
    }
  }

  private static ResourceDefinitionContext context() {
    return new ResourceDefinitionContext.Builder()
        .withGroup("serving.knative.dev")
        .withVersion("v1beta1")
        .withKind("DomainMapping")
        .withPlural("domainmappings")
        .withNamespaced(true)
        .build();
  }

  /** Knative 1.8's CRD: v1alpha1 stored, v1beta1 served (or not), storedVersions [v1alpha1]. */
  private static void storedAsV1alpha1(KubernetesClient client, boolean betaServed) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(STEP.crd())
                .endMetadata()
                .withNewSpec()
                .withGroup("serving.knative.dev")
                .withScope("Namespaced")
                .withNewNames()
                .withKind("DomainMapping")
                .withPlural("domainmappings")
                .endNames()
                .addNewVersion()
                .withName("v1alpha1")
                .withServed(true)
                .withStorage(true)
                .endVersion()
                .addNewVersion()
                .withName("v1beta1")
                .withServed(betaServed)
                .withStorage(false)
                .endVersion()
                .endSpec()
                .build())
        .create();
    var ref = client.apiextensions().v1().customResourceDefinitions().withName(STEP.crd());
    new Waiter(Duration.ofMillis(10), new ClusterDiagnostics(client), Waiter.Listener.NONE)
        .await(
            Condition.of(
                "CRD established",
                List.of(),
                () -> {
                  CustomResourceDefinition c = ref.get();
                  return c.getStatus() != null && c.getStatus().getConditions() != null
                      ? ConditionResult.met("established")
                      : ConditionResult.pending("not yet");
                }),
            Duration.ofMinutes(2));
    CustomResourceDefinition c = ref.get();
    c.getStatus().setStoredVersions(List.of("v1alpha1"));
    try {
      client.apiextensions().v1().customResourceDefinitions().resource(c).updateStatus();
    } catch (KubernetesClientException e) {
      throw new IllegalStateException(e);
    }
  }
}
