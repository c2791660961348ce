package io.kfboot.verify.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformRunsTest {
  static final ResourceRunCheck.AfterReady NOTHING = (client, ready) -> "";

  @SuppressWarnings("unchecked")
  static Map<String, Object> metadata(Map<String, Object> o) {
    return (Map<String, Object>) o.get("metadata");
  }

  @Test
  void everyRunIsMadeInTheProfileNamespaceItIsGivenAndNamesItWhereverItMust() {
    List<ResourceRunCheck> checks =
        List.of(
            (ResourceRunCheck) PlatformRuns.pytorchJob("team-a"),
            (ResourceRunCheck) PlatformRuns.trainJob("team-a"),
            (ResourceRunCheck) PlatformRuns.katibExperiment("team-a"),
            (ResourceRunCheck) PlatformRuns.notebook("team-a"),
            (ResourceRunCheck) PlatformRuns.inferenceService("team-a", NOTHING));
    List<Map<String, Object>> objects = checks.stream().flatMap(c -> c.objects().stream()).toList();
    assertThat(objects)
        .extracting(o -> (String) o.get("kind"))
        .containsExactly(
            "PyTorchJob",
            "TrainJob",
            "Experiment",
            "PersistentVolumeClaim",
            "Notebook",
            "VirtualService",
            "AuthorizationPolicy",
            "InferenceService");
    assertThat(objects)
        .allSatisfy(o -> assertThat(metadata(o)).containsEntry("namespace", "team-a"));
    assertThat(String.valueOf(objects)).doesNotContain("PATCHED");
    assertThat(String.valueOf(objects.get(5)))
        .as("the predict route's path and Host header")
        .contains("prefix=/kserve/team-a/kfboot-verify-sklearn/")
        .contains("Host=kfboot-verify-sklearn-predictor.team-a.svc.cluster.local");
    assertThat(String.valueOf(objects.get(4)))
        .as("the notebook mounts the claim made beside it")
        .contains("claimName=" + metadata(objects.get(3)).get("name"));
    assertThat(((ResourceRunCheck) PlatformRuns.inferenceService("team-b")).objects())
        .as("without a predict call, no route is opened")
        .hasSize(1);
  }
}
