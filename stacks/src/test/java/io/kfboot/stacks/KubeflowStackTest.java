package io.kfboot.stacks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import com.pulumi.core.Output;
import com.pulumi.core.internal.Internal;
import com.pulumi.test.TestResult;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.auth.CredentialsPatch;
import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.stacks.providers.ConfigGroup;
import io.kfboot.stacks.providers.ProviderVersions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy tests over the whole v1.10.2 stack, run under Pulumi's mocks. */
class KubeflowStackTest {
  static InstallPlan release;
  static Credentials credentials;

  @BeforeAll
  static void plan(@TempDir Path dir) {
    credentials =
        Credentials.loadOrCreate(
                dir.resolve("credentials.properties"), "admin@example.org", new SecureRandom())
            .credentials();
    release = CredentialsPatch.apply(SimulatedPlans.v1102(), credentials);
  }

  private static StackHarness plain;

  /** The stack with default config, registered once for the tests that only read it. */
  static synchronized StackHarness plain() {
    if (plain == null) {
      plain = run(existingCluster(Map.of()));
    }
    return plain;
  }

  static StackConfig existingCluster(Map<String, String> values) {
    return StackConfig.parse(values, Set.of("kubeconfig"), Path.of("."));
  }

  static StackHarness run(StackConfig config) {
    StackHarness h = new StackHarness();
    TestResult r =
        h.run(
            ctx ->
                KubeflowStack.define(
                    ctx,
                    config,
                    release,
                    credentials,
                    Output.ofSecret("apiVersion: v1\nkind: Config\n")));
    assertThat(r.exceptions()).isEmpty();
    return h;
  }

  static List<StackHarness.Registered> components(StackHarness h) {
    return h.order.stream()
        .map(h.byName::get)
        .filter(r -> r.type().startsWith("kfboot:kubeflow:"))
        .toList();
  }

  @Test
  void everyComponentIsAResourceThatDependsOnWhatTheCatalogSays() {
    StackHarness h = plain();
    List<StackHarness.Registered> components = components(h);
    Set<String> ids =
        release.components().stream().map(PlannedComponent::id).collect(Collectors.toSet());
    ids.add("storage");
    assertThat(components)
        .extracting(StackHarness.Registered::name)
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(components)
        .filteredOn(c -> c.name().equals("cert-manager"))
        .extracting(StackHarness.Registered::type)
        .containsExactly("kfboot:kubeflow:CertManager");
    for (PlannedComponent c : release.components()) {
      Set<String> expected = new HashSet<>(c.spec().dependsOn());
      expected.add("storage"); // every component of the release waits for the storage probe
      expected.add("kfboot-inventory"); // and every one for the record of what is applied
      assertThat(new HashSet<>(h.byName.get(c.id()).dependsOn())).as(c.id()).isEqualTo(expected);
    }
    assertThat(h.byName.get("storage").dependsOn()).containsExactly("kfboot-inventory");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theInstallRecordKfbootStatusReadsComesLast() {
    StackHarness h = plain();
    StackHarness.Registered state = h.byName.get("kfboot-install-state");
    assertThat(state.type()).isEqualTo("kubernetes:core/v1:ConfigMap");
    assertThat(new HashSet<>(state.dependsOn()))
        .isEqualTo(
            components(h).stream().map(StackHarness.Registered::name).collect(Collectors.toSet()));
    Map<String, Object> data = (Map<String, Object>) state.inputs().get("data");
    assertThat(data)
        .containsEntry("release", "v1.10.2")
        .containsEntry("phase", "installed")
        .containsEntry("source", "pulumi:kfboot/test");
    assertThat(String.valueOf(data.get("components")))
        .startsWith("storage,")
        .contains("cert-manager");
  }

  @Test
  void everyConfigGroupHasItsComponentAsParentAndFollowsTheStagesBeforeIt() {
    StackHarness h = plain();
    Set<String> componentNames =
        components(h).stream().map(StackHarness.Registered::name).collect(Collectors.toSet());
    List<StackHarness.Registered> groups = h.ofType(ConfigGroup.TYPE);
    assertThat(groups)
        .isNotEmpty()
        .allSatisfy(
            g -> {
              assertThat(g.parent()).as(g.name()).isIn(componentNames);
              assertThat(g.name()).startsWith(g.parent() + "-");
              assertThat(g.version()).isEqualTo(ProviderVersions.KUBERNETES);
            });
    // cert-manager: CRDs (each retained, so no ConfigGroup of them), then its objects, then its
    // webhooks, then the issuers its webhook admits
    assertThat(h.byName).doesNotContainKey("cert-manager-crds");
    List<String> crds =
        h.byName.keySet().stream().filter(n -> n.startsWith("cert-manager-crds:")).toList();
    assertThat(crds).contains("cert-manager-crds:certificates.cert-manager.io");
    assertThat(h.byName.get("cert-manager-objects").dependsOn())
        .containsExactlyInAnyOrderElementsOf(crds);
    assertThat(h.byName.get("cert-manager-webhooks").dependsOn())
        .contains("cert-manager-objects", "cert-manager-objects:cert-manager")
        .containsAll(crds);
    // the KFP API server waits for MySQL: a gated stage after the component's objects
    assertThat(h.byName.keySet()).contains("pipelines-gated");
    assertThat(h.byName.get("pipelines-gated").dependsOn()).contains("pipelines-objects");
    // only storage and the kustomize-less checks have a checks stage
    assertThat(h.byName.keySet().stream().filter(n -> n.endsWith("-checks")))
        .containsExactly("storage-checks");
  }

  @Test
  @SuppressWarnings("unchecked")
  void crdsWaitUntilEstablishedAndTheProbeUntilBoundAndSucceeded() {
    StackHarness h = plain();
    List<Object> crds =
        h.order.stream()
            .map(h.byName::get)
            .filter(r -> r.type().endsWith(":CustomResourceDefinition"))
            .map(r -> (Object) r.inputs())
            .toList();
    assertThat(crds)
        .hasSizeGreaterThan(50)
        .allSatisfy(
            o ->
                assertThat(annotations(o)).containsEntry(Stages.WAIT_FOR, "condition=Established"));
    List<Object> probe = (List<Object>) h.byName.get("storage-checks").inputs().get("objs");
    assertThat(probe)
        .extracting(
            o -> ((Map<String, Object>) o).get("kind") + " " + annotations(o).get(Stages.WAIT_FOR))
        .containsExactly(
            "PersistentVolumeClaim jsonpath={.status.phase}=Bound",
            "Pod jsonpath={.status.phase}=Succeeded");
  }

  /**
   * What an upgrade keeps (KeepRules) is never in a ConfigGroup, where Pulumi would delete it with
   * the group or when a release drops it; it is a resource of its own with retainOnDelete, aliased
   * to the group that held it in stacks made before.
   */
  @Test
  @SuppressWarnings("unchecked")
  void objectsHoldingUserDataAreRetainedOnDelete() {
    StackHarness h = plain();
    Set<String> keptKinds =
        Set.of("CustomResourceDefinition", "Namespace", "PersistentVolumeClaim", "Profile");
    for (StackHarness.Registered g : h.ofType(ConfigGroup.TYPE)) {
      assertThat((List<Object>) g.inputs().getOrDefault("objs", List.of()))
          .as(g.name())
          .noneMatch(
              o ->
                  keptKinds.contains(((Map<String, Object>) o).get("kind"))
                      && !g.name().endsWith("-checks"));
    }
    List<StackHarness.Registered> retained =
        h.order.stream()
            .map(h.byName::get)
            .filter(StackHarness.Registered::retainOnDelete)
            .toList();
    assertThat(retained)
        .extracting(StackHarness.Registered::name)
        .contains(
            "cert-manager-crds:certificates.cert-manager.io",
            "training-operator-crds:pytorchjobs.kubeflow.org",
            "profiles-crds:profiles.kubeflow.org",
            "kubeflow-namespace-objects:kubeflow",
            "pipelines-objects:kubeflow/mysql-pv-claim",
            "dex-objects:auth/dex-passwords");
    assertThat(retained)
        .allSatisfy(
            r -> {
              assertThat(r.type()).startsWith("kubernetes:");
              String group = r.name().substring(0, r.name().indexOf(':'));
              // the type chain before the component's is the engine's (mocks put the stack's in)
              assertThat(r.aliasParents())
                  .as("%s was a child of ConfigGroup %s", r.name(), group)
                  .singleElement(STRING)
                  .startsWith("urn:pulumi:test::kfboot::")
                  .endsWith(
                      KubeflowComponent.type(r.parent()) + "$" + ConfigGroup.TYPE + "::" + group);
            });
    // nothing else is retained: a Deployment a release drops goes with it
    assertThat(h.byName.values())
        .filteredOn(r -> r.type().equals("kubernetes:apps/v1:Deployment"))
        .isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void theInventoryTheCliReadsListsEveryObjectOfThePlanBeforeAnyIsApplied() {
    StackHarness h = plain();
    StackHarness.Registered inventory = h.byName.get("kfboot-inventory");
    assertThat(inventory.type()).isEqualTo("kubernetes:core/v1:ConfigMap");
    assertThat(inventory.dependsOn()).isEmpty();
    Map<String, Object> meta = (Map<String, Object>) inventory.inputs().get("metadata");
    assertThat(meta)
        .containsEntry("namespace", "kube-system")
        .containsEntry("name", "kfboot-inventory");
    Map<String, Object> data = (Map<String, Object>) inventory.inputs().get("data");
    assertThat(data.keySet())
        .containsExactlyInAnyOrderElementsOf(
            components(h).stream().map(StackHarness.Registered::name).toList());
    assertThat(String.valueOf(data.get("cert-manager")))
        .contains("apiextensions.k8s.io/v1 CustomResourceDefinition - certificates.cert-manager.io")
        .contains("apps/v1 Deployment cert-manager cert-manager-webhook");
  }

  @Test
  void aChildUrnAppendsTheTypeToTheParentsTypeChain() {
    assertThat(
            KubeflowComponent.childUrn(
                "urn:pulumi:dev::kf::kfboot:kubeflow:Pipelines::pipelines",
                ConfigGroup.TYPE,
                "pipelines-objects"))
        .isEqualTo(
            "urn:pulumi:dev::kf::kfboot:kubeflow:Pipelines$kubernetes:yaml/v2:ConfigGroup::pipelines-objects");
  }

  @Test
  @SuppressWarnings("unchecked")
  void noLoadBalancerServiceUnlessAsked() {
    StackHarness h = plain();
    List<String> types =
        h.ofType(ConfigGroup.TYPE).stream()
            .flatMap(g -> ((List<Object>) g.inputs().getOrDefault("objs", List.of())).stream())
            .map(o -> (Map<String, Object>) o)
            .filter(o -> "Service".equals(o.get("kind")))
            .map(
                o ->
                    String.valueOf(
                        ((Map<String, Object>) o.getOrDefault("spec", Map.of())).get("type")))
            .toList();
    assertThat(types).isNotEmpty().doesNotContain("LoadBalancer");
  }

  @Test
  void secretsStaySecret() {
    StackHarness h = new StackHarness();
    TestResult r =
        h.run(
            ctx ->
                KubeflowStack.define(
                    ctx,
                    existingCluster(Map.of()),
                    release,
                    credentials,
                    Output.ofSecret("apiVersion: v1\n")));
    assertThat(Internal.of(r.output("adminPassword")).isSecret().join()).isTrue();
    assertThat(Internal.of(r.output("adminEmail")).isSecret().join()).isFalse();
    assertThat(h.byName.get("kfboot-cluster").secretInputs())
        .as("the provider's kubeconfig")
        .isTrue();
    // every stage and retained object holding a generated secret or a Secret is passed encrypted
    List<StackHarness.Registered> withCredentials =
        h.order.stream()
            .map(h.byName::get)
            .filter(
                g ->
                    String.valueOf(g.inputs()).contains(credentials.passwordHash())
                        || String.valueOf(g.inputs()).contains(credentials.oidcClientSecret()))
            .toList();
    assertThat(withCredentials)
        .extracting(StackHarness.Registered::name)
        .contains("dex-objects:auth/dex-passwords");
    assertThat(withCredentials).allMatch(StackHarness.Registered::secretInputs);
    assertThat(h.byName.get("cert-manager-crds:certificates.cert-manager.io").secretInputs())
        .isFalse();
  }

  @Test
  void gpuResourcesOnlyWhenAskedOrWhenHostsHaveGpus() {
    assertThat(plain().byName.keySet()).noneMatch(n -> n.startsWith("nvidia-device-plugin"));
    StackHarness gpu = run(existingCluster(Map.of("gpu", "true")));
    assertThat(gpu.byName.get("nvidia-device-plugin").type())
        .isEqualTo("kfboot:kubeflow:NvidiaDevicePlugin");
    assertThat(gpu.byName.get("nvidia-device-plugin").dependsOn())
        .as("GPUs do not wait for storage")
        .containsExactly("kfboot-inventory");
    assertThat(gpu.byName.keySet())
        .contains("nvidia-device-plugin-objects", "nvidia-device-plugin-checks");
  }

  @Test
  void badConfigIsRejectedBeforeAnyResourceIsRegistered() {
    StackHarness h = new StackHarness();
    TestResult r =
        h.run(
            ctx -> {
              StackConfig config =
                  StackConfig.parse(
                      Map.of("adminEmial", "x", "gatewayServiceType", "Ingress"),
                      Set.of(),
                      Path.of("."));
              KubeflowStack.define(ctx, config, release, credentials, Output.ofSecret(""));
            });
    assertThat(r.exceptions())
        .anySatisfy(
            x ->
                assertThat(x)
                    .isInstanceOfSatisfying(
                        StackConfigException.class,
                        e ->
                            assertThat(e.problems())
                                .anyMatch(
                                    p ->
                                        p.contains(
                                            "unknown config key kfboot:adminEmial; did you mean"
                                                + " kfboot:adminEmail?"))
                                .anyMatch(p -> p.contains("gatewayServiceType 'Ingress'"))
                                .anyMatch(p -> p.contains("nothing to install onto"))));
    assertThat(h.byName).isEmpty();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> annotations(Object object) {
    Map<String, Object> meta = (Map<String, Object>) ((Map<String, Object>) object).get("metadata");
    return (Map<String, Object>) meta.getOrDefault("annotations", Map.of());
  }

  @Test
  void withHostsTheClusterProviderWaitsForTheKubeconfigTheFirstServerGives(@TempDir Path dir)
      throws Exception {
    Path known =
        Files.writeString(dir.resolve("known_hosts"), "10.0.0.11 " + HostLayerTest.KEY + "\n");
    StackConfig config =
        StackConfig.parse(
            Map.of("inventory", HostLayerTest.INVENTORY, "knownHosts", known.toString()),
            Set.of("k3sToken", "sshPrivateKey"),
            dir);
    StackHarness h = new StackHarness();
    TestResult r =
        h.run(
            ctx ->
                KfbootStack.define(
                    ctx,
                    config,
                    release,
                    credentials,
                    new KfbootStack.Secrets(Output.ofSecret("t"), Output.ofSecret("k"), null),
                    dir.resolve("inventory.yaml").toString(),
                    "kfboot"));
    assertThat(r.exceptions()).isEmpty();
    assertThat(h.order.indexOf("kfboot-cluster"))
        .as("registered once the kubeconfig is known")
        .isGreaterThan(h.order.indexOf("server-1-kubeconfig"));
    assertThat(h.byName.get("nvidia-device-plugin")).as("the inventory has a GPU host").isNotNull();
    assertThat(Internal.of(r.output("kubeconfig")).isSecret().join()).isTrue();
  }
}
