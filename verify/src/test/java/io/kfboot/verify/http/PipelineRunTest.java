package io.kfboot.verify.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kfboot.verify.VerifyException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A pipeline run through the gateway's Pipelines API, as the logged-in user. */
class PipelineRunTest {
  static DexLogin.Session login(FakeKubeflowGateway gw) {
    return new DexLogin(gw.url(), Duration.ofSeconds(10))
        .login(DexLoginTest.EMAIL, DexLoginTest.PASSWORD);
  }

  @Test
  void aRunSucceedsARecurringRunIsMadeAndRemovedAndNothingIsLeft() throws Exception {
    try (FakeKubeflowGateway gw =
        new FakeKubeflowGateway(DexLoginTest.EMAIL, DexLoginTest.PASSWORD)) {
      String seen =
          new PipelineRun(login(gw), Duration.ofMillis(10))
              .run("kubeflow-user-example-com", Duration.ofSeconds(10));
      assertThat(seen).endsWith("SUCCEEDED; recurring run created and deleted");
      assertThat(gw.kfp.experiments).isEmpty();
      assertThat(gw.kfp.runs).isEmpty();
      assertThat(gw.kfp.recurring).isEmpty();
      assertThat(gw.refused).isEmpty();
    }
  }

  @Test
  void whereTheArtifactsLandedIsCheckedWithTheRunsIdBeforeTheRunIsRemoved() throws Exception {
    try (FakeKubeflowGateway gw =
        new FakeKubeflowGateway(DexLoginTest.EMAIL, DexLoginTest.PASSWORD)) {
      List<String> asked = new ArrayList<>();
      String seen =
          new PipelineRun(login(gw), Duration.ofMillis(10))
              .run(
                  "kubeflow-user-example-com",
                  Duration.ofSeconds(10),
                  runId -> {
                    asked.add(runId);
                    assertThat(gw.kfp.runs).as("the run is still there").containsKey(runId);
                    return "2 objects in s3://artifacts";
                  });
      assertThat(asked).hasSize(1);
      assertThat(seen).startsWith("run " + asked.get(0)).endsWith("; 2 objects in s3://artifacts");

      assertThatThrownBy(
              () ->
                  new PipelineRun(login(gw), Duration.ofMillis(10))
                      .run(
                          "kubeflow-user-example-com",
                          Duration.ofSeconds(10),
                          runId -> {
                            throw new VerifyException(
                                "nothing of " + runId + " in the bucket", "", "");
                          }))
          .hasMessageContaining("in the bucket");
      assertThat(gw.kfp.runs).as("cleaned up after a failed check too").isEmpty();
      assertThat(gw.kfp.experiments).isEmpty();
    }
  }

  @Test
  void aSpecWhoseArtifactIsUndeclaredIsRefusedByTheFakeAsByTheLauncher() {
    JsonNode spec = new ObjectMapper().valueToTree(PipelineRun.pipelineSpec());
    ((ObjectNode) spec.at("/components/comp-say/outputDefinitions/artifacts")).removeAll();
    assertThat(FakeKfpApi.invalidSpec(spec)).contains("kfboot-marker is not declared");
  }

  @Test
  void theSpecBuiltInCodeIsOneTheApiAccepts() {
    assertThat(FakeKfpApi.invalidSpec(new ObjectMapper().valueToTree(PipelineRun.pipelineSpec())))
        .isNull();
  }

  @Test
  void aFailedRunAndAForeignNamespaceAreNamed() throws Exception {
    try (FakeKubeflowGateway gw =
        new FakeKubeflowGateway(DexLoginTest.EMAIL, DexLoginTest.PASSWORD)) {
      gw.kfp.failRuns = true;
      assertThatThrownBy(
              () ->
                  new PipelineRun(login(gw), Duration.ofMillis(10))
                      .run("kubeflow-user-example-com", Duration.ofSeconds(10)))
          .isInstanceOf(VerifyException.class)
          .hasMessageContaining("ended FAILED: exec-say: Error (exit code 1)");
      assertThat(gw.kfp.experiments).as("cleaned up after a failure too").isEmpty();
      assertThatThrownBy(
              () ->
                  new PipelineRun(login(gw), Duration.ofMillis(10))
                      .run("team-b", Duration.ofSeconds(10)))
          .isInstanceOfSatisfying(
              VerifyException.class,
              e -> {
                assertThat(e.getMessage()).contains("HTTP 403").contains("PermissionDenied");
                assertThat(e.fix()).contains("Profile");
              });
    }
  }

  @Test
  void asTheProfilesServiceAccountWithItsToken() throws Exception {
    try (FakeKubeflowGateway gw =
        new FakeKubeflowGateway(DexLoginTest.EMAIL, DexLoginTest.PASSWORD)) {
      gw.serviceAccountTokens.add("sa-token");
      assertThat(
              new PipelineRun(GatewayEndpoint.of(gw.url()), "sa-token", Duration.ofMillis(10))
                  .run("kubeflow-user-example-com", Duration.ofSeconds(10)))
          .endsWith("SUCCEEDED; recurring run created and deleted");
      assertThatThrownBy(
              () ->
                  new PipelineRun(GatewayEndpoint.of(gw.url()), "forged", Duration.ofMillis(10))
                      .run("kubeflow-user-example-com", Duration.ofSeconds(10)))
          .hasMessageContaining("HTTP 401");
    }
  }
}
