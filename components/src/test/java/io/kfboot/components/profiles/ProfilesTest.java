package io.kfboot.components.profiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.access.AccessConfig;
import io.kfboot.components.access.AccessConfigLoader;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProfilesTest {
  static final String TEAM =
      """
      auth:
        groups:
          ml-team: [alice@lab.example, bob@lab.example, dave@lab.example]
      profiles:
        - name: team-vision
          owner: alice@lab.example
          resourceQuotaSpec:
            hard: {requests.cpu: "16", requests.memory: 64Gi, requests.nvidia.com/gpu: "2"}
          contributors:
            - {group: ml-team, role: view}
            - {user: bob@lab.example, role: edit}
            - {user: first.last+tag@lab.example, role: admin}
        - name: bob
          owner: bob@lab.example
      """;

  static AccessConfig parse(String text) {
    return AccessConfigLoader.parse(text, "inventory.yaml", Path.of("."));
  }

  @ParameterizedTest
  @CsvSource({
    // KFAM's getBindingName: runs of other characters become one '-', lower-cased
    "alice@example.com, edit, user-alice-example-com-clusterrole-edit",
    "a.b+c@x.io, view, user-a-b-c-x-io-clusterrole-view",
    "a..b@x.com, edit, user-a-b-x-com-clusterrole-edit",
    "first.last+tag@Example.COM, admin, user-first-last-tag-example-com-clusterrole-admin",
    ".lead--dot@x.io, view, user-lead-dot-x-io-clusterrole-view"
  })
  void bindingNamesAreKfams(String email, String role, String name) {
    assertThat(KfamNames.bindingName(email, role)).isEqualTo(name);
  }

  @Test
  void profilesBecomeProfilesAndKfamPairsWithTheMostPermissiveRole() {
    AccessConfig access = parse(TEAM);
    List<K8sObject> objects = ProfileObjects.render(access.profiles(), access.auth().groups());

    K8sObject profile = objects.get(0);
    assertThat(profile.kind()).isEqualTo("Profile");
    assertThat(profile.apiVersion()).isEqualTo("kubeflow.org/v1");
    Map<String, Object> spec = Trees.map(profile.body().get("spec"));
    assertThat(spec.get("owner")).isEqualTo(Map.of("kind", "User", "name", "alice@lab.example"));
    assertThat(Trees.map(Trees.map(spec.get("resourceQuotaSpec")).get("hard")))
        .containsEntry("requests.nvidia.com/gpu", "2")
        .containsEntry("requests.memory", "64Gi");

    List<K8sObject> bindings =
        objects.stream()
            .filter(o -> o.kind().equals("RoleBinding") && "team-vision".equals(o.namespace()))
            .toList();
    assertThat(bindings)
        .extracting(K8sObject::name)
        .as("the owner is left to the profile controller; bob's edit beats the group's view")
        .containsExactly(
            "user-bob-lab-example-clusterrole-edit",
            "user-dave-lab-example-clusterrole-view",
            "user-first-last-tag-lab-example-clusterrole-admin");
    K8sObject bob = bindings.get(0);
    Map<String, Object> meta = Trees.map(bob.body().get("metadata"));
    assertThat(Trees.map(meta.get("annotations")))
        .containsExactly(Map.entry("user", "bob@lab.example"), Map.entry("role", "edit"));
    assertThat(bob.labels()).containsEntry(ProfileObjects.MANAGED, "true");
    assertThat(Trees.map(bob.body().get("roleRef")).get("name")).isEqualTo("kubeflow-edit");
    assertThat(Trees.list(bob.body().get("subjects")))
        .singleElement()
        .satisfies(
            s ->
                assertThat(Trees.map(s))
                    .containsEntry("kind", "User")
                    .containsEntry("name", "bob@lab.example"));

    K8sObject policy =
        objects.stream()
            .filter(o -> o.kind().equals("AuthorizationPolicy") && o.name().equals(bob.name()))
            .findFirst()
            .orElseThrow();
    assertThat(policy.namespace()).isEqualTo("team-vision");
    String rules = policy.body().get("spec").toString();
    assertThat(rules)
        .contains("request.headers[kubeflow-userid]", "values=[bob@lab.example]")
        .contains(ProfileObjects.GATEWAY_PRINCIPAL, ProfileObjects.KFP_UI_PRINCIPAL);

    assertThat(objects.stream().filter(o -> o.kind().equals("Profile")).map(K8sObject::name))
        .containsExactly("team-vision", "bob");
    K8sObject bobsProfile =
        objects.stream().filter(o -> o.name().equals("bob")).findFirst().orElseThrow();
    assertThat(Trees.map(bobsProfile.body().get("spec"))).doesNotContainKey("resourceQuotaSpec");
  }

  @Test
  void badProfilesAreRefusedWithTheirLines() {
    String bad =
        """
        profiles:
          - name: Team_A
            owner: ann@lab.example
          - name: kubeflow
            owner: Ann@Lab.example
          - name: bob
            owner: bob@lab.example
            resourceQuotaSpec: {scopes: [BestEffort]}
            contributors:
              - {group: nobody, role: view}
              - {user: carl@lab.example, role: owner}
              - {user: carl@lab.example, group: x, role: view}
          - name: bob
            owner: bob@lab.example
        """;
    assertThatThrownBy(() -> parse(bad))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("line 2: profiles: 'Team_A' is no namespace name")
        .hasMessageContaining("line 4: profiles: 'kubeflow' is a system namespace")
        .hasMessageContaining("line 5: profiles[kubeflow].owner: 'Ann@Lab.example' has upper-case")
        .hasMessageContaining("profiles[bob].resourceQuotaSpec has no hard limits")
        .hasMessageContaining(
            "line 10: profiles[bob].contributors: group 'nobody' is not in auth.groups")
        .hasMessageContaining(
            "line 11: profiles[bob].contributors: role 'owner' is none of view, edit, admin")
        .hasMessageContaining("line 12: profiles[bob].contributors: give either user or group")
        .hasMessageContaining("line 13: profiles: 'bob' is declared twice");
  }

  @Test
  void twoContributorsWhoseNamesKfamCannotTellApartAreRefused() {
    String text =
        """
        profiles:
          - name: p
            owner: o@lab.example
            contributors:
              - {user: a.b@x.io, role: edit}
              - {user: a-b@x.io, role: edit}
        """;
    AccessConfig access = parse(text);
    assertThatThrownBy(() -> ProfileObjects.render(access.profiles(), access.auth().groups()))
        .hasMessageContaining(
            "a.b@x.io and a-b@x.io get the same KFAM binding name"
                + " user-a-b-x-io-clusterrole-edit");
  }
}
