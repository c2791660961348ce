package io.kfboot.components.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.access.AccessConfig;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Profiles declared, changed and removed, on the simulated cluster. */
class ProfileSyncTest {
  static final String EVE_BINDING = "user-eve-lab-example-clusterrole-view";

  @Test
  void contributorsFollowTheInventoryAndARemovedProfileIsKeptStaleUnlessNamed() throws Exception {
    try (SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      crd(client, "profiles.kubeflow.org", "kubeflow.org", "Profile", "profiles", "Cluster", "v1");
      crd(
          client,
          "authorizationpolicies.security.istio.io",
          "security.istio.io",
          "AuthorizationPolicy",
          "authorizationpolicies",
          "Namespaced",
          "v1beta1");
      // the profile controller's namespaces (the simulated cluster runs no profile controller)
      for (String ns : List.of("team-vision", "bob")) {
        client
            .namespaces()
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      // a contributor added in the dashboard: KFAM's names, no kfboot label
      client
          .rbac()
          .roleBindings()
          .inNamespace("team-vision")
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName(EVE_BINDING)
                  .withNamespace("team-vision")
                  .withAnnotations(Map.of("user", "eve@lab.example", "role", "view"))
                  .endMetadata()
                  .withNewRoleRef()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind("ClusterRole")
                  .withName("kubeflow-view")
                  .endRoleRef()
                  .addNewSubject()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind("User")
                  .withName("eve@lab.example")
                  .endSubject()
                  .build())
          .create();
      List<String> progress = new ArrayList<>();
      ProfileSync sync =
          new ProfileSync(client, Duration.ofMillis(10), Duration.ofSeconds(30), progress::add);

      AccessConfig team = ProfilesTest.parse(ProfilesTest.TEAM);
      ProfileSync.Report first = sync.apply(team.profiles(), team.auth().groups(), Set.of());
      assertThat(first.applied())
          .contains(
              "Profile team-vision",
              "Profile bob",
              "RoleBinding team-vision/user-dave-lab-example-clusterrole-view",
              "AuthorizationPolicy team-vision/user-dave-lab-example-clusterrole-view");
      assertThat(first.removed()).isEmpty();
      int afterFirst = cluster.writes().size();
      ProfileSync.Report rerun = sync.apply(team.profiles(), team.auth().groups(), Set.of());
      assertThat(cluster.writes().subList(afterFirst, cluster.writes().size()))
          .as("a rerun with the same inventory writes nothing")
          .isEmpty();
      assertThat(rerun.removed()).isEmpty();
      assertThat(rerun.applied()).as("nothing changed, nothing reported applied").isEmpty();
      assertThat(rerun.unchanged()).isEqualTo(first.applied().size());
      assertThat(bindings(client, "team-vision"))
          .contains(
              EVE_BINDING,
              "user-bob-lab-example-clusterrole-edit",
              "user-dave-lab-example-clusterrole-view");
      assertThat(sync.list())
          .filteredOn(l -> l.name().equals("team-vision"))
          .singleElement()
          .satisfies(
              l -> {
                assertThat(l.owner()).isEqualTo("alice@lab.example");
                assertThat(l.managed()).isTrue();
                assertThat(l.contributors())
                    .containsEntry("bob@lab.example", "edit")
                    .containsEntry("eve@lab.example", "view");
              });

      // dave leaves the group, bob's profile leaves the inventory
      String fewer =
          ProfilesTest.TEAM
              .replace(", dave@lab.example]", "]")
              .replace("  - name: bob\n    owner: bob@lab.example\n", "");
      AccessConfig next = ProfilesTest.parse(fewer);
      int writesBefore = cluster.writes().size();
      ProfileSync.Report second = sync.apply(next.profiles(), next.auth().groups(), Set.of());
      assertThat(second.removed())
          .containsExactlyInAnyOrder(
              "RoleBinding team-vision/user-dave-lab-example-clusterrole-view",
              "AuthorizationPolicy team-vision/user-dave-lab-example-clusterrole-view");
      assertThat(second.stale()).containsExactly("Profile bob");
      assertThat(second.deleted()).isEmpty();
      assertThat(bindings(client, "team-vision"))
          .as("the dashboard's binding stays")
          .contains(EVE_BINDING)
          .doesNotContain("user-dave-lab-example-clusterrole-view");
      assertThat(cluster.writes().subList(writesBefore, cluster.writes().size()))
          .as("no DELETE of a Profile without its name given")
          .noneMatch(w -> w.op().equals("DELETE") && w.plural().equals("profiles"));
      assertThat(sync.list())
          .filteredOn(l -> l.name().equals("bob"))
          .singleElement()
          .satisfies(l -> assertThat(l.stale()).isTrue());
      assertThat(progress).anyMatch(p -> p.contains("--delete-stale-profile bob"));

      assertThatThrownBy(
              () -> sync.apply(next.profiles(), next.auth().groups(), Set.of("team-vision")))
          .hasMessageContaining(
              "--delete-stale-profile team-vision: the inventory still declares it");
      assertThatThrownBy(
              () -> sync.apply(next.profiles(), next.auth().groups(), Set.of("kubeflow-user")))
          .hasMessageContaining("no such profile");

      ProfileSync.Report third = sync.apply(next.profiles(), next.auth().groups(), Set.of("bob"));
      assertThat(third.deleted()).containsExactly("Profile bob");
      assertThat(cluster.writes())
          .as("the DELETE the check above looks for is recorded when it happens")
          .anyMatch(
              w ->
                  w.op().equals("DELETE")
                      && w.plural().equals("profiles")
                      && w.name().equals("bob"));
      assertThat(client.genericKubernetesResources(ProfileSync.PROFILES).withName("bob").get())
          .isNull();

      String otherOwner = fewer.replace("owner: alice@lab.example", "owner: bob@lab.example");
      AccessConfig changed = ProfilesTest.parse(otherOwner);
      assertThatThrownBy(() -> sync.apply(changed.profiles(), changed.auth().groups(), Set.of()))
          .hasMessageContaining(
              "profile team-vision is owned by alice@lab.example, not bob@lab.example");
    }
  }

  private static List<String> bindings(KubernetesClient client, String ns) {
    return client.rbac().roleBindings().inNamespace(ns).list().getItems().stream()
        .map(RoleBinding::getMetadata)
        .map(m -> m.getName())
        .toList();
  }

  private static void crd(
      KubernetesClient client,
      String name,
      String group,
      String kind,
      String plural,
      String scope,
      String version) {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .resource(
            new CustomResourceDefinitionBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withGroup(group)
                .withScope(scope)
                .withNewNames()
                .withKind(kind)
                .withPlural(plural)
                .endNames()
                .addNewVersion()
                .withName(version)
                .withServed(true)
                .withStorage(true)
                .endVersion()
                .endSpec()
                .build())
        .create();
    new Waiter(Duration.ofMillis(10), new ClusterDiagnostics(client), Waiter.Listener.NONE)
        .await(
            Condition.of(
                "CRD " + name + " established",
                List.of(),
                () -> {
                  var crd =
                      client.apiextensions().v1().customResourceDefinitions().withName(name).get();
                  boolean ok =
                      crd.getStatus() != null
                          && crd.getStatus().getConditions().stream()
                              .anyMatch(
                                  c ->
                                      c.getType().equals("Established")
                                          && c.getStatus().equals("True"));
                  return ok
                      ? ConditionResult.met("established")
                      : ConditionResult.pending("not yet");
                }),
            Duration.ofSeconds(30));
  }
}
