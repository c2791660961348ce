package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.storage.objectstore.S3Store;
import io.kfboot.storage.objectstore.StoreAccess;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.List;

/**
 * The database and store pods a backup reaches, on the simulated cluster (whose Deployments make no
 * pods), and the store behind them reached directly (the mock has no port-forward).
 */
final class StorePods {
  private StorePods() {}

  /** A pod by name and one label; awaited until the simulated scheduler has it Running. */
  record Pod(String name, String label, String value) {}

  static void running(KubernetesClient client, String namespace, List<Pod> pods) {
    for (Pod p : pods) {
      client
          .pods()
          .inNamespace(namespace)
          .resource(
              new PodBuilder()
                  .withNewMetadata()
                  .withName(p.name())
                  .addToLabels(p.label(), p.value())
                  .endMetadata()
                  .withNewSpec()
                  .addNewContainer()
                  .withName("main")
                  .withImage(p.name())
                  .endContainer()
                  .endSpec()
                  .build())
          .create();
    }
    new Waiter(Duration.ofMillis(10), new ClusterDiagnostics(client), Waiter.Listener.NONE)
        .await(
            Condition.of(
                "the pods running",
                List.of(namespace),
                () ->
                    pods.stream()
                            .allMatch(
                                p -> {
                                  var pod =
                                      client.pods().inNamespace(namespace).withName(p.name()).get();
                                  return pod != null
                                      && pod.getStatus() != null
                                      && "Running".equals(pod.getStatus().getPhase());
                                })
                        ? ConditionResult.met("running")
                        : ConditionResult.pending("not yet")),
            Duration.ofMinutes(2));
  }

  /** Every pod's store is {@code store}, reached as is. */
  static StoreAccess direct(S3Store store) {
    return (namespace, pod, port, accessKey, secretKey) ->
        new StoreAccess.Open() {
          @Override
          public S3Store store() {
            return store;
          }

          @Override
          public void close() {}
        };
  }
}
