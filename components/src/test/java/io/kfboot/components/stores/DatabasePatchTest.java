package io.kfboot.components.stores;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import io.kfboot.manifests.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The external databases on the real renders of the fixture releases. */
class DatabasePatchTest {
  static final String DB_PW = "kfp-db-Pa55";
  static final String KATIB_PW = "katib-db-Pa55";
  static final SecretValues SECRETS =
      SecretValues.from(Map.of("KFP_DB_PASSWORD", DB_PW, "KATIB_DB_PASSWORD", KATIB_PW));

  static Stream<String> releases() {
    return Stream.of(Fixtures.V1_10_2.tag(), Fixtures.V26_03.tag());
  }

  static InstallPlan patched(String release) {
    return DatabasePatch.apply(
        SimulatedPlans.of(release),
        StoresConfigReaderTest.parse(StoresConfigReaderTest.TEAM),
        SECRETS);
  }

  @ParameterizedTest
  @MethodSource("releases")
  void pipelinesAndKatibReadTheExternalServerAndTheInClusterOnesAreGone(String release) {
    InstallPlan plan = patched(release);
    Map<String, Object> config = data(plan, "ConfigMap", "pipeline-install-config");
    assertThat(config)
        .containsEntry("dbHost", "db.lab.example")
        .containsEntry("mysqlHost", "db.lab.example")
        .containsEntry("dbPort", "3306")
        .containsEntry("mysqlPort", "3306")
        .containsEntry("pipelineDb", "mlpipeline")
        .containsEntry("cacheDb", "cachedb")
        .containsEntry("mlmdDb", "kfp_metadata");
    Map<String, Object> account = data(plan, "Secret", "mysql-secret");
    assertThat(decode(account.get("username"))).isEqualTo("kfp");
    assertThat(decode(account.get("password"))).isEqualTo(DB_PW);
    Map<String, Object> katib = data(plan, "Secret", "katib-mysql-secrets");
    assertThat(decode(katib.get("KATIB_MYSQL_DB_HOST"))).isEqualTo("db.lab.example");
    assertThat(decode(katib.get("KATIB_MYSQL_DB_PORT"))).isEqualTo("3307");
    assertThat(decode(katib.get("DB_PASSWORD"))).isEqualTo(KATIB_PW);

    for (String[] gone :
        List.of(
            new String[] {"Deployment", "mysql"},
            new String[] {"Service", "mysql"},
            new String[] {"PersistentVolumeClaim", "mysql-pv-claim"},
            new String[] {"Deployment", "katib-mysql"},
            new String[] {"Service", "katib-mysql"},
            new String[] {"PersistentVolumeClaim", "katib-mysql"})) {
      assertThat(find(plan, gone[0], gone[1])).as(gone[0] + " " + gone[1]).isNull();
    }
    assertThat(dump(plan))
        .as("no reference to the in-cluster MySQL")
        .doesNotContain("mysql.kubeflow");
    assertThat(
            plan.components().stream()
                .flatMap(c -> c.gates().stream())
                .map(g -> g.target())
                .toList())
        .doesNotContain("kubeflow/mysql", "kubeflow/katib-mysql");
  }

  @ParameterizedTest
  @MethodSource("releases")
  void everyKeyTheDatabaseClientsReadResolves(String release) {
    InstallPlan plan = patched(release);
    List<String> unresolved = new ArrayList<>();
    for (String name :
        List.of("ml-pipeline", "cache-server", "metadata-grpc-deployment", "katib-db-manager")) {
      K8sObject d = find(plan, "Deployment", name);
      assertThat(d).as(name).isNotNull();
      Map<String, Object> pod = Trees.map(Trees.map(spec(d).get("template")).get("spec"));
      for (Object c : Trees.list(pod.get("containers"))) {
        for (Object e : Trees.list(Trees.map(c).get("env"))) {
          Map<String, Object> from = Trees.map(Trees.map(e).get("valueFrom"));
          for (String kind : List.of("secretKeyRef", "configMapKeyRef")) {
            Map<String, Object> ref = Trees.map(from.get(kind));
            if (ref.isEmpty()) {
              continue;
            }
            K8sObject source =
                find(
                    plan,
                    kind.equals("secretKeyRef") ? "Secret" : "ConfigMap",
                    (String) ref.get("name"));
            boolean resolves =
                source != null
                    && (Trees.map(source.body().get("data")).containsKey(ref.get("key"))
                        || Trees.map(source.body().get("stringData")).containsKey(ref.get("key")));
            if (!resolves && !Boolean.TRUE.equals(ref.get("optional"))) {
              unresolved.add(name + " " + Trees.map(e).get("name") + " <- " + ref);
            }
          }
        }
      }
    }
    assertThat(unresolved).isEmpty();
    Map<String, Object> manager =
        Trees.map(
            Trees.list(
                    Trees.map(
                            Trees.map(
                                    spec(find(plan, "Deployment", "katib-db-manager"))
                                        .get("template"))
                                .get("spec"))
                        .get("containers"))
                .get(0));
    assertThat(Trees.list(manager.get("env")))
        .extracting(e -> Trees.map(e).get("name"))
        .containsExactly(
            "DB_NAME",
            "DB_USER",
            "DB_PASSWORD",
            "KATIB_MYSQL_DB_DATABASE",
            "KATIB_MYSQL_DB_HOST",
            "KATIB_MYSQL_DB_PORT");
  }

  @ParameterizedTest
  @MethodSource("releases")
  void withASitesSecretEveryClientReadsThePasswordThereAndKfbootWritesNone(String release) {
    StoresConfig stores =
        StoresConfigReaderTest.parse(
            """
            pipelines:
              database:
                external:
                  host: db.lab.example
                  user: kfp
                  secretRef: {name: kfp-db, key: pw}
            katib:
              database:
                external:
                  host: db.lab.example
                  user: katib
                  secretRef: {name: katib-db}
            """);
    InstallPlan plan = DatabasePatch.apply(SimulatedPlans.of(release), stores, SECRETS);
    Map<String, Object> account = data(plan, "Secret", "mysql-secret");
    assertThat(decode(account.get("username"))).isEqualTo("kfp");
    assertThat(account).doesNotContainKey("password");
    assertThat(data(plan, "Secret", "katib-mysql-secrets")).doesNotContainKey("DB_PASSWORD");
    List<String> unresolved = new ArrayList<>();
    for (String[] dc :
        List.of(
            new String[] {"ml-pipeline", "ml-pipeline-api-server"},
            new String[] {"katib-db-manager", "katib-db-manager"})) {
      unresolved.addAll(PlanEnv.of(plan, dc[0], dc[1]).unresolved());
    }
    // the site's Secrets are not in the plan: the only keys left unresolved are theirs
    assertThat(unresolved)
        .isNotEmpty()
        .allSatisfy(u -> assertThat(u).containsAnyOf("key=pw, name=kfp-db", "name=katib-db"));
    assertThat(dump(plan)).doesNotContain("key=password, name=mysql-secret");
    assertThat(dump(SimulatedPlans.of(release))).contains("key=password, name=mysql-secret");
  }

  @Test
  void inClusterStoresLeaveThePlanAsItIs() {
    InstallPlan plan = SimulatedPlans.of(Fixtures.V26_03.tag());
    assertThat(DatabasePatch.apply(plan, StoresConfig.DEFAULTS, SECRETS)).isSameAs(plan);
  }

  @Test
  void aPlanWithoutKatibWarnsInsteadOfPatchingNothingSilently() {
    InstallPlan v1102 = SimulatedPlans.v1102();
    List<PlannedComponent> without =
        v1102.components().stream().filter(c -> !c.id().equals("katib")).toList();
    InstallPlan plan =
        DatabasePatch.apply(
            new InstallPlan(v1102.tree(), v1102.kustomize(), without, List.of()),
            StoresConfigReaderTest.parse(StoresConfigReaderTest.TEAM),
            SECRETS);
    assertThat(plan.warnings())
        .contains("katib.database.external is set, but Katib is not planned");
  }

  static String dump(InstallPlan plan) {
    StringBuilder sb = new StringBuilder();
    plan.components().forEach(c -> c.objects().forEach(o -> sb.append(o.body()).append('\n')));
    return sb.toString();
  }

  static String decode(Object b64) {
    return new String(Base64.getDecoder().decode(String.valueOf(b64)), StandardCharsets.UTF_8);
  }

  static Map<String, Object> spec(K8sObject o) {
    return Trees.map(o.body().get("spec"));
  }

  static Map<String, Object> data(InstallPlan plan, String kind, String name) {
    K8sObject o = find(plan, kind, name);
    assertThat(o).as(kind + " " + name).isNotNull();
    return Trees.map(o.body().get("data"));
  }

  static K8sObject find(InstallPlan plan, String kind, String name) {
    return PlanEnv.find(plan, kind, name);
  }
}
