package io.kfboot.components.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.verify.testing.SimulatedCluster;
import org.junit.jupiter.api.Test;

class InstallerTest {
  @Test
  void installsV1102AndARerunChangesNothing() {
    InstallPlan plan = SimulatedInstall.v1102();
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      long t0 = System.nanoTime();
      InstallReport first = SimulatedInstall.installer(client, InstallListener.NONE).install(plan);
      long t1 = System.nanoTime();
      java.util.List<String> changed = new java.util.concurrent.CopyOnWriteArrayList<>();
      InstallReport second = SimulatedInstall.installer(client, new InstallListener() {
        @Override
        public void objectApplied(String component, io.kfboot.manifests.parse.K8sObject object, ApplyOutcome outcome) {
          if (outcome != ApplyOutcome.UNCHANGED) {
            changed.add(object.key() + " " + outcome);
          }
        }
      }).install(plan);
      long t2 = System.nanoTime();
      System.err.printf("install %.2fs, rerun %.2fs%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
      assertThat(first.changes()).isEqualTo(plan.objectCount());
      assertThat(changed).as("objects the rerun wrote").isEmpty();
      assertThat(second.changes()).isZero();
      assertThat(cluster.refusals()).isEmpty();
      assertThat(InstallState.read(client)).get().satisfies(s -> {
        assertThat(s.phase()).isEqualTo("installed");
        assertThat(s.done()).hasSize(plan.components().size());
      });
    }
  }
}
