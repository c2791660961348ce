package io.kfboot.components.stores;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.PodTemplates;
import io.kfboot.manifests.parse.Trees;
import io.kfboot.manifests.source.ReleaseRef;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The external object store on the real renders of the fixture releases. */
class ObjectStorePatchTest {
  static final String ACCESS = "AKIA-LAB-0001";
  static final String SECRET = "s3-Secret-Key/0001";

  /** The TEAM config's secret key is a file reference; its value here stands for the file's. */
  static final SecretValues SECRETS =
      (ref, field) ->
          ref.env() != null
              ? Map.of("S3_ACCESS_KEY", ACCESS, "KFP_DB_PASSWORD", "db", "KATIB_DB_PASSWORD", "k")
                  .get(ref.env())
              : SECRET;

  static Stream<String> releases() {
    return Stream.of(Fixtures.V1_10_2.tag(), Fixtures.V26_03.tag());
  }

  static StoresConfig team() {
    return StoresConfigReaderTest.parse(StoresConfigReaderTest.TEAM);
  }

  static StoresConfig objectStoreOnly() {
    StoresConfig team = team();
    return new StoresConfig(null, team.pipelinesObjectStore(), null);
  }

  static InstallPlan patched(String release) {
    return StoresPatch.apply(SimulatedPlans.of(release), team(), SECRETS);
  }

  @ParameterizedTest
  @MethodSource("releases")
  void theInClusterStoreAndItsClaimAreGoneAndNothingNamesThemAnyMore(String release) {
    InstallPlan plan = patched(release);
    for (String kn :
        List.of(
            "Deployment/minio",
            "Service/minio-service",
            "PersistentVolumeClaim/minio-pvc",
            "Deployment/seaweedfs",
            "Service/seaweedfs",
            "PersistentVolumeClaim/seaweedfs-pvc",
            "DestinationRule/ml-pipeline-minio",
            "DestinationRule/ml-pipeline-seaweedfs",
            "NetworkPolicy/minio",
            "NetworkPolicy/seaweedfs")) {
      String[] p = kn.split("/");
      assertThat(PlanEnv.find(plan, p[0], p[1])).as(kn).isNull();
    }
    String dump = DatabasePatchTest.dump(plan);
    assertThat(dump).doesNotContain("minio-service", "seaweedfs.kubeflow", "mysql.kubeflow");
    assertThat(gateTargets(plan)).doesNotContain("kubeflow/minio", "kubeflow/seaweedfs");
    // the unpatched render had them: the assertions above are not vacuous
    assertThat(DatabasePatchTest.dump(SimulatedPlans.of(release)))
        .containsAnyOf("minio-service", "seaweedfs.kubeflow");
  }

  @ParameterizedTest
  @MethodSource("releases")
  void everyConsumerReadsTheExternalStoreAndEveryKeyResolves(String release) {
    InstallPlan plan = patched(release);
    PlanEnv api = PlanEnv.of(plan, "ml-pipeline", "ml-pipeline-api-server");
    assertThat(api.unresolved()).isEmpty();
    assertThat(api.values())
        .containsEntry("OBJECTSTORECONFIG_HOST", "s3.lab.example")
        .containsEntry("OBJECTSTORECONFIG_PORT", "443")
        .containsEntry("OBJECTSTORECONFIG_REGION", "eu-central-1")
        .containsEntry("OBJECTSTORECONFIG_SECURE", "true")
        .containsEntry("OBJECTSTORECONFIG_BUCKETNAME", "kubeflow-artifacts")
        .containsEntry("OBJECTSTORECONFIG_ACCESSKEY", ACCESS)
        .containsEntry("OBJECTSTORECONFIG_SECRETACCESSKEY", SECRET);

    PlanEnv ui = PlanEnv.of(plan, "ml-pipeline-ui", "ml-pipeline-ui");
    assertThat(ui.unresolved()).isEmpty();
    assertThat(ui.values())
        .containsEntry("MINIO_HOST", "s3.lab.example")
        .containsEntry("MINIO_PORT", "443")
        .containsEntry("MINIO_SSL", "true")
        .containsEntry("MINIO_NAMESPACE", "")
        .containsEntry("MINIO_ACCESS_KEY", ACCESS);

    PlanEnv controller =
        PlanEnv.of(plan, "kubeflow-pipelines-profile-controller", "profile-controller");
    assertThat(controller.unresolved()).isEmpty();
    assertThat(controller.values())
        .containsEntry("KFBOOT_S3_ENDPOINT_URL", "https://s3.lab.example:443")
        .containsEntry("KFBOOT_S3_BUCKET", "kubeflow-artifacts")
        .containsEntry("KFBOOT_S3_PATH_STYLE", "true")
        .containsEntry("KFBOOT_S3_ACCESS_KEY", ACCESS)
        .containsEntry("KFBOOT_S3_SECRET_KEY", SECRET)
        .doesNotContainKeys("AWS_ENDPOINT_URL", "OBJECT_STORE_HOST");

    K8sObject deployment =
        PlanEnv.find(plan, "Deployment", "kubeflow-pipelines-profile-controller");
    assertThat(PodTemplates.container(deployment.body(), "profile-controller").get("command"))
        .isEqualTo(List.of("python", "/hooks/kfboot_sync.py"));
    assertThat(
            Trees.map(
                    Trees.map(
                            Trees.map(Trees.map(deployment.body().get("spec")).get("template"))
                                .get("metadata"))
                        .get("annotations"))
                .get(ObjectStorePatch.HOOK_CHECKSUM))
        .as("a change of the hook rolls the controller")
        .isNotNull();
  }

  @ParameterizedTest
  @MethodSource("releases")
  void argosArtifactRepositoryParsesWithTheStoresEndpointBucketAndTls(String release) {
    InstallPlan plan = patched(release);
    Map<String, Object> repository =
        ObjectStorePatch.argoRepository(
            PlanEnv.find(plan, "ConfigMap", "workflow-controller-configmap"));
    Map<String, Object> s3 = Trees.map(repository.get("s3"));
    assertThat(s3)
        .containsEntry("endpoint", "s3.lab.example:443")
        .containsEntry("bucket", "kubeflow-artifacts")
        .containsEntry("insecure", false)
        .containsEntry("region", "eu-central-1");
    assertThat(Trees.map(s3.get("accessKeySecret")))
        .containsEntry("name", "mlpipeline-minio-artifact")
        .containsEntry("key", "accesskey");
    assertThat(String.valueOf(s3.get("keyFormat")))
        .as("upstream's layout kept")
        .contains("{{pod.name}}");
    assertThat(repository).containsEntry("archiveLogs", true);
  }

  @Test
  void aPlainHttpStoreIsInsecureForArgoAndTheApiServer() {
    StoresConfig store =
        StoresConfigReaderTest.parse(
            """
            pipelines:
              objectStore:
                external:
                  endpoint: http://10.0.0.9:9000
                  bucket: artifacts
                  accessKeyRef: {env: S3_ACCESS_KEY}
                  secretKeyRef: {env: S3_ACCESS_KEY}
            """);
    InstallPlan plan = StoresPatch.apply(SimulatedPlans.v1102(), store, SECRETS);
    assertThat(PlanEnv.of(plan, "ml-pipeline", "ml-pipeline-api-server").values())
        .containsEntry("OBJECTSTORECONFIG_HOST", "10.0.0.9")
        .containsEntry("OBJECTSTORECONFIG_PORT", "9000")
        .containsEntry("OBJECTSTORECONFIG_SECURE", "false");
    Map<String, Object> s3 =
        Trees.map(
            ObjectStorePatch.argoRepository(
                    PlanEnv.find(plan, "ConfigMap", "workflow-controller-configmap"))
                .get("s3"));
    assertThat(s3).containsEntry("endpoint", "10.0.0.9:9000").containsEntry("insecure", true);
  }

  @Test
  void aNewPasswordOrEndpointRollsExactlyTheConsumersThatReadIt() {
    InstallPlan before = StoresPatch.apply(SimulatedPlans.v1102(), team(), SECRETS);
    SecretValues newDbPassword =
        (ref, field) ->
            "KFP_DB_PASSWORD".equals(ref.env()) ? "rotated-Pa55" : SECRETS.value(ref, field);
    InstallPlan after = StoresPatch.apply(SimulatedPlans.v1102(), team(), newDbPassword);
    Map<String, Boolean> rolled = new TreeMap<>();
    for (String name : StoresPatch.CONSUMERS.keySet()) {
      rolled.put(name, !checksum(before, name).equals(checksum(after, name)));
    }
    assertThat(rolled)
        .containsEntry("ml-pipeline", true)
        .containsEntry("cache-server", true)
        .containsEntry("metadata-grpc-deployment", true)
        .containsEntry("ml-pipeline-ui", false)
        .containsEntry("katib-db-manager", false);
    assertThat(checksum(StoresPatch.apply(SimulatedPlans.v1102(), team(), SECRETS), "ml-pipeline"))
        .as("a pure function: the same inputs give the same checksum")
        .isEqualTo(checksum(before, "ml-pipeline"));
    assertThat(StoresPatch.apply(SimulatedPlans.v1102(), StoresConfig.DEFAULTS, SECRETS))
        .as("in-cluster stores: the release's plan unchanged")
        .isSameAs(SimulatedPlans.v1102());
  }

  private static Object checksum(InstallPlan plan, String deployment) {
    K8sObject d = PlanEnv.find(plan, "Deployment", deployment);
    Map<String, Object> template = Trees.map(Trees.map(d.body().get("spec")).get("template"));
    return Trees.map(Trees.map(template.get("metadata")).get("annotations"))
        .get(StoresPatch.CHECKSUM_ANNOTATION);
  }

  @Test
  void theObjectStoreAloneKeepsTheInClusterDatabase() {
    InstallPlan plan = StoresPatch.apply(SimulatedPlans.v1102(), objectStoreOnly(), SECRETS);
    assertThat(PlanEnv.find(plan, "Deployment", "mysql")).isNotNull();
    assertThat(PlanEnv.find(plan, "Deployment", "minio")).isNull();
    assertThat(gateTargets(plan)).contains("kubeflow/mysql").doesNotContain("kubeflow/minio");
  }

  @Test
  void aReleaseWithoutAPatchSetIsRefusedNamingTheOnesThatHaveOne() {
    InstallPlan v1102 = SimulatedPlans.v1102();
    InstallPlan other =
        new InstallPlan(
            new ReleaseTree(
                v1102.tree().root(),
                new ReleaseRef("v1.11.0", v1102.tree().release().commit()),
                v1102.tree().origin(),
                false),
            v1102.kustomize(),
            v1102.components(),
            List.of());
    assertThatThrownBy(() -> ObjectStorePatch.apply(other, objectStoreOnly(), SECRETS))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("release v1.11.0")
        .satisfies(
            e ->
                assertThat(((KfbootException) e).fix())
                    .contains("v1.10.2", "26.03", "leave pipelines.objectStore out"));
  }

  @Test
  void aRenderThatRenamedATargetFailsNamingEveryMissingPieceAndChangesNothing() {
    InstallPlan v1102 = SimulatedPlans.v1102();
    List<PlannedComponent> components = new ArrayList<>();
    for (PlannedComponent c : v1102.components()) {
      components.add(
          c.withObjects(
              c.objects().stream()
                  .filter(o -> !o.name().equals("minio-pvc"))
                  .map(ObjectStorePatchTest::withoutUiMinioNamespace)
                  .toList()));
    }
    InstallPlan renamed = new InstallPlan(v1102.tree(), v1102.kustomize(), components, List.of());
    assertThatThrownBy(() -> ObjectStorePatch.apply(renamed, objectStoreOnly(), SECRETS))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("PersistentVolumeClaim kubeflow/minio-pvc")
        .hasMessageContaining("env MINIO_NAMESPACE of ml-pipeline-ui/ml-pipeline-ui")
        .hasMessageContaining("minio patch set");
  }

  @Test
  void aReferenceLeftOverIsAnErrorNamingTheObject() {
    InstallPlan plan = patched(Fixtures.V1_10_2.tag());
    PlannedComponent first = plan.components().get(0);
    K8sObject stray =
        K8sObject.of(
            Map.of(
                "apiVersion",
                "v1",
                "kind",
                "ConfigMap",
                "metadata",
                Map.of("name", "stray", "namespace", "kubeflow"),
                "data",
                Map.of("endpoint", "http://minio-service.kubeflow:9000")));
    List<K8sObject> objects = new ArrayList<>(first.objects());
    objects.add(stray);
    List<PlannedComponent> components = new ArrayList<>(plan.components());
    components.set(0, first.withObjects(objects));
    InstallPlan withStray = new InstallPlan(plan.tree(), plan.kustomize(), components, List.of());
    assertThatThrownBy(
            () ->
                StoresPatch.requireNoReferences(
                    withStray, Map.of("pipelines.objectStore.external", StoresPatch.OBJECT_STORE)))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining(
            "ConfigMap kubeflow/stray (minio-service, pipelines.objectStore.external)");
  }

  @Test
  void theShippedPatchSetsParseAndAnUnknownKeyIsRefused() {
    assertThat(ObjectStorePatchSet.forRelease("v1.10.2"))
        .get()
        .extracting(s -> s.id())
        .isEqualTo("minio");
    assertThat(ObjectStorePatchSet.forRelease("26.03"))
        .get()
        .extracting(s -> s.id())
        .isEqualTo("seaweedfs");
    assertThat(ObjectStorePatchSet.forRelease("v1.11.0")).isEmpty();
    String typo =
        """
        patchSets:
          - id: x
            releases: [v9]
            inClustr: []
        """;
    assertThatThrownBy(
            () ->
                ObjectStorePatchSet.parse(
                    new ByteArrayInputStream(typo.getBytes(StandardCharsets.UTF_8))))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("unknown key inClustr");
  }

  private static K8sObject withoutUiMinioNamespace(K8sObject o) {
    if (!o.kind().equals("Deployment") || !o.name().equals("ml-pipeline-ui")) {
      return o;
    }
    Map<String, Object> body = Trees.deepCopy(o.body());
    Map<String, Object> c = PodTemplates.container(body, "ml-pipeline-ui");
    Trees.list(c.get("env")).removeIf(e -> "MINIO_NAMESPACE".equals(Trees.map(e).get("name")));
    return Trees.withBody(o, body);
  }

  static List<String> gateTargets(InstallPlan plan) {
    return plan.components().stream()
        .flatMap(c -> c.gates().stream())
        .map(g -> g.target())
        .toList();
  }
}
