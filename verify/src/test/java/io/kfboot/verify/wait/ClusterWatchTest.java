package io.kfboot.verify.wait;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.verify.diagnostics.Diagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Watches wake the wait on the object that changed, long before the poll interval. */
class ClusterWatchTest {
  @Test
  void aDeploymentTurningAvailableWakesItsWait() {
    SimulatedCluster.Latencies slow =
        new SimulatedCluster.Latencies(
            Duration.ofMillis(10),
            Duration.ofMillis(700),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Map.of());
    try (SimulatedCluster cluster = SimulatedCluster.start(slow);
        KubernetesClient client = cluster.newClient();
        ClusterWatch watch =
            ClusterWatch.start(
                client,
                w -> {
                  throw new AssertionError(w);
                })) {
      client
          .resource(
              Serialization.unmarshal(
                  """
                  apiVersion: apps/v1
                  kind: Deployment
                  metadata: {name: web, namespace: default}
                  spec:
                    selector: {matchLabels: {app: web}}
                    template:
                      metadata: {labels: {app: web}}
                      spec: {containers: [{name: web, image: web:1}]}
                  """,
                  GenericKubernetesResource.class))
          .fieldManager("kfboot")
          .forceConflicts()
          .serverSideApply();
      Waiter waiter =
          new Waiter(
              Duration.ofMinutes(30),
              Diagnostics.NONE,
              Waiter.Listener.NONE,
              Waiter.Clock.SYSTEM,
              watch.signal());
      long t0 = System.nanoTime();
      ConditionResult r =
          waiter.await(
              new KubernetesConditions(client).deploymentAvailable("default", "web"),
              Duration.ofHours(1));
      assertThat(r.met()).isTrue();
      // far from both ends, so that load cannot decide it: milliseconds, or the 30 min poll
      assertThat(Duration.ofNanos(System.nanoTime() - t0))
          .as("woken by the watch, not the 30 min poll")
          .isLessThan(Duration.ofMinutes(5));
      assertThat(watch.signal().generation(ClusterWatch.key("Deployment", "default", "web")))
          .isGreaterThan(0);
    }
  }
}
