package io.kfboot.verify.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Runs through controllers, against the simulated cluster with a test standing in for the
 * controller.
 */
class ResourceRunCheckTest {
  static final ResourceDefinitionContext PYTORCH =
      new ResourceDefinitionContext.Builder()
          .withGroup("kubeflow.org")
          .withVersion("v1")
          .withKind("PyTorchJob")
          .withPlural("pytorchjobs")
          .withNamespaced(true)
          .build();

  static void crd(KubernetesClient client, String group, String kind, String plural, String version)
      throws Exception {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(plural + "." + group)
                .endMetadata()
                .withNewSpec()
                .withGroup(group)
                .withScope("Namespaced")
                .withNewNames()
                .withKind(kind)
                .withPlural(plural)
                .withSingular(kind.toLowerCase())
                .endNames()
                .addNewVersion()
                .withName(version)
                .withServed(true)
                .withStorage(true)
                .withNewSchema()
                .withNewOpenAPIV3Schema()
                .withType("object")
                .withXKubernetesPreserveUnknownFields(true)
                .endOpenAPIV3Schema()
                .endSchema()
                .endVersion()
                .endSpec()
                .build())
        .create();
    // the simulated API server turns it Established a little later, as a real one does
    String crdName = plural + "." + group;
    for (int i = 0; i < 30_000 && !established(client, crdName); i++) {
      Thread.sleep(10);
    }
  }

  private static boolean established(KubernetesClient client, String crdName) {
    var crd = client.apiextensions().v1().customResourceDefinitions().withName(crdName).get();
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /** The training-operator's part: once the job exists, report the condition. */
  static CompletableFuture<Map<String, Object>> operator(
      KubernetesClient client, String ns, String name, String type, String message) {
    return CompletableFuture.supplyAsync(
        () -> {
          for (int i = 0; i < 30_000; i++) {
            GenericKubernetesResource job =
                client.genericKubernetesResources(PYTORCH).inNamespace(ns).withName(name).get();
            if (job != null) {
              job.setAdditionalProperty(
                  "status",
                  Map.of(
                      "conditions",
                      List.of(
                          Map.of("type", "Created", "status", "True"),
                          Map.of("type", type, "status", "True", "message", message))));
              client.genericKubernetesResources(PYTORCH).inNamespace(ns).resource(job).update();
              return job.getMetadata().getLabels() == null
                  ? Map.<String, Object>of()
                  : Map.copyOf(job.getMetadata().getLabels());
            }
            try {
              Thread.sleep(10);
            } catch (InterruptedException e) {
              throw new IllegalStateException(e);
            }
          }
          throw new IllegalStateException("the check never created its job");
        });
  }

  static List<CheckResult> run(KubernetesClient client, VerifyCheck check) {
    return new VerifyRunner(
            client,
            new ClusterDiagnostics(client),
            Duration.ofMillis(20),
            Duration.ofMinutes(10),
            line -> {})
        .run(List.of(check), Set.of());
  }

  @Test
  void aJobTheOperatorReportsSucceededPassesAndIsRemoved() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      crd(client, "kubeflow.org", "PyTorchJob", "pytorchjobs", "v1");
      client
          .namespaces()
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName(PlatformRuns.DEFAULT_NAMESPACE)
                  .endMetadata()
                  .build())
          .create();
      assertThat(PlatformRuns.offered(client, PlatformRuns.DEFAULT_NAMESPACE))
          .extracting(VerifyCheck::id)
          .containsExactly("training-job");
      crd(client, "trainer.kubeflow.org", "TrainJob", "trainjobs", "v1alpha1");
      assertThat(PlatformRuns.offered(client, PlatformRuns.DEFAULT_NAMESPACE))
          .extracting(VerifyCheck::id)
          .containsExactly("training-job", "train-job");
      var labels =
          operator(
              client,
              PlatformRuns.DEFAULT_NAMESPACE,
              "kfboot-verify-pytorch",
              "Succeeded",
              "PyTorchJob succeeded");
      CheckResult r = run(client, PlatformRuns.pytorchJob(PlatformRuns.DEFAULT_NAMESPACE)).get(0);
      assertThat(r.status()).as(r.detail()).isEqualTo(CheckResult.Status.PASSED);
      assertThat(labels.get()).containsEntry(ResourceRunCheck.LABEL, "training-job");
      assertThat(
              client
                  .genericKubernetesResources(PYTORCH)
                  .inNamespace(PlatformRuns.DEFAULT_NAMESPACE)
                  .withName("kfboot-verify-pytorch")
                  .get())
          .as("removed after the check")
          .isNull();
    }
  }

  @Test
  void aFailedJobEndsTheCheckAtOnceWithTheControllersMessage() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      crd(client, "kubeflow.org", "PyTorchJob", "pytorchjobs", "v1");
      client
          .namespaces()
          .resource(
              new NamespaceBuilder().withNewMetadata().withName("team-a").endMetadata().build())
          .create();
      operator(
          client,
          "team-a",
          "kfboot-verify-pytorch",
          "Failed",
          "PyTorchJob team-a/kfboot-verify-pytorch has failed because 1 Master replica(s) failed.");
      long start = System.nanoTime();
      CheckResult r = run(client, PlatformRuns.pytorchJob("team-a")).get(0);
      assertThat(r.status()).isEqualTo(CheckResult.Status.FAILED);
      assertThat(r.detail())
          .contains(
              "PyTorchJob team-a/kfboot-verify-pytorch Failed: PyTorchJob"
                  + " team-a/kfboot-verify-pytorch has failed")
          .contains("kubectl -n team-a logs -l kfboot.io/verify=training-job");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .as("not the whole 10 min timeout")
          .isLessThan(Duration.ofMinutes(3));
    }
  }

  @Test
  void withoutTheProfileNamespaceTheCheckSaysWhichAndNothingIsCreated() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      crd(client, "kubeflow.org", "Notebook", "notebooks", "v1");
      CheckResult r = run(client, PlatformRuns.notebook(PlatformRuns.DEFAULT_NAMESPACE)).get(0);
      assertThat(r.status()).isEqualTo(CheckResult.Status.FAILED);
      assertThat(r.detail())
          .contains("namespace kubeflow-user-example-com does not exist")
          .contains("user-namespace component");
      assertThat(client.persistentVolumeClaims().inAnyNamespace().list().getItems()).isEmpty();
    }
  }

  @Test
  void aNotebookGetsItsWorkspaceClaimWhichGoesWithIt() throws Exception {
    ResourceDefinitionContext notebooks =
        new ResourceDefinitionContext.Builder()
            .withGroup("kubeflow.org")
            .withVersion("v1")
            .withKind("Notebook")
            .withPlural("notebooks")
            .withNamespaced(true)
            .build();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      crd(client, "kubeflow.org", "Notebook", "notebooks", "v1");
      String ns = PlatformRuns.DEFAULT_NAMESPACE;
      client
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
      CompletableFuture<String> claimSeen =
          CompletableFuture.supplyAsync(
              () -> {
                for (int i = 0; i < 30_000; i++) {
                  GenericKubernetesResource nb =
                      client
                          .genericKubernetesResources(notebooks)
                          .inNamespace(ns)
                          .withName("kfboot-verify-notebook")
                          .get();
                  if (nb != null) {
                    var claim =
                        client
                            .persistentVolumeClaims()
                            .inNamespace(ns)
                            .withName("kfboot-verify-notebook-workspace")
                            .get();
                    nb.setAdditionalProperty(
                        "status",
                        Map.of(
                            "readyReplicas",
                            1,
                            "conditions",
                            List.of(Map.of("type", "Ready", "status", "True"))));
                    client
                        .genericKubernetesResources(notebooks)
                        .inNamespace(ns)
                        .resource(nb)
                        .update();
                    return claim == null
                        ? "no claim"
                        : claim.getMetadata().getLabels().get(ResourceRunCheck.LABEL);
                  }
                  try {
                    Thread.sleep(10);
                  } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                  }
                }
                return "no notebook";
              });
      CheckResult r = run(client, PlatformRuns.notebook(ns)).get(0);
      assertThat(r.status()).as(r.detail()).isEqualTo(CheckResult.Status.PASSED);
      assertThat(claimSeen.get())
          .as("the claim existed, labelled, when the notebook did")
          .isEqualTo("notebook");
      assertThat(
              client
                  .persistentVolumeClaims()
                  .inNamespace(ns)
                  .withName("kfboot-verify-notebook-workspace")
                  .get())
          .isNull();
    }
  }
}
