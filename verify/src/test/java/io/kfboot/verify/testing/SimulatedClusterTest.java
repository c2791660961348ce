package io.kfboot.verify.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.verify.diagnostics.Diagnostics;
import io.kfboot.verify.wait.KubernetesConditions;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The simulated API server behaves like the real one where an installer can tell. */
class SimulatedClusterTest {
  static final String CRD =
      """
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata: {name: widgets.example.io}
      spec:
        group: example.io
        scope: Namespaced
        names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
        versions:
        - name: v1
          served: true
          storage: true
          schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
      """;
  static final String WIDGET =
      """
      apiVersion: example.io/v1
      kind: Widget
      metadata: {name: w1, namespace: default}
      spec: {size: 3}
      """;

  private SimulatedCluster cluster;
  private KubernetesClient client;

  @BeforeEach
  void start() {
    cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
    client = cluster.newClient();
  }

  @AfterEach
  void stop() {
    client.close();
    cluster.close();
  }

  private GenericKubernetesResource apply(String yaml) {
    return client
        .resource(Serialization.unmarshal(yaml, GenericKubernetesResource.class))
        .fieldManager("kfboot")
        .forceConflicts()
        .serverSideApply();
  }

  private final Waiter waiter =
      new Waiter(Duration.ofMillis(5), Diagnostics.NONE, Waiter.Listener.NONE);

  @Test
  void serverSideApplyCreatesMergesAndLeavesUnchangedObjectsAlone() {
    String cm =
        "apiVersion: v1\n"
            + "kind: ConfigMap\n"
            + "metadata: {name: c, namespace: default}\n"
            + "data: {a: '1'}\n";
    GenericKubernetesResource created = apply(cm);
    GenericKubernetesResource again = apply(cm);
    GenericKubernetesResource changed = apply(cm.replace("'1'", "'2'"));

    assertThat(again.getMetadata().getResourceVersion())
        .isEqualTo(created.getMetadata().getResourceVersion());
    assertThat(changed.getMetadata().getResourceVersion())
        .isNotEqualTo(created.getMetadata().getResourceVersion());
    assertThat(client.configMaps().inNamespace("default").withName("c").get().getData())
        .containsEntry("a", "2");
    assertThat(cluster.writes())
        .extracting(SimulatedCluster.Write::op)
        .containsExactly("CREATE", "UNCHANGED", "UPDATE");
  }

  @Test
  void aCustomResourceIsRefusedUntilItsCrdIsEstablished() {
    // a CRD that takes half a second to be established, so that the refusal below is certain
    stop();
    cluster =
        SimulatedCluster.start(
            new SimulatedCluster.Latencies(
                Duration.ofMillis(500),
                Duration.ofMillis(5),
                Duration.ofMillis(5),
                Duration.ofMillis(5),
                Map.of()));
    client = cluster.newClient();
    apply(CRD);
    // Right after the CRD is created, the simulated controller has not established it yet.
    assertThatThrownBy(() -> apply(WIDGET)).isInstanceOf(KubernetesClientException.class);
    waiter.await(
        new KubernetesConditions(client).crdEstablished("widgets.example.io"),
        Duration.ofSeconds(5));
    apply(WIDGET);
    assertThat(cluster.refusals())
        .extracting(SimulatedCluster.Refusal::reason)
        .contains("crd-not-established");
    assertThat(cluster.snapshot()).containsKey("example.io/v1 Widget default/w1");
  }

  @Test
  void aWebhookWithoutEndpointsRefusesWhatItIntercepts() {
    // a backend that takes a second to turn ready, so that the refusal below is certain
    stop();
    cluster =
        SimulatedCluster.start(
            new SimulatedCluster.Latencies(
                Duration.ofMillis(10),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Map.of()));
    client = cluster.newClient();
    apply(
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: hook, namespace: default}
        spec:
          selector: {matchLabels: {app: hook}}
          template:
            metadata: {labels: {app: hook}}
            spec: {containers: [{name: hook, image: hook:1}]}
        """);
    apply(
        "apiVersion: v1\n"
            + "kind: Service\n"
            + "metadata: {name: hook, namespace: default}\n"
            + "spec: {selector: {app: hook}, ports: [{port: 443}]}\n");
    apply(
        """
        apiVersion: admissionregistration.k8s.io/v1
        kind: ValidatingWebhookConfiguration
        metadata: {name: hook}
        webhooks:
        - name: cm.hook.io
          clientConfig: {service: {namespace: default, name: hook}}
          rules: [{apiGroups: [''], apiVersions: [v1], resources: [configmaps], operations: [CREATE, UPDATE]}]
          sideEffects: None
          admissionReviewVersions: [v1]
        """);
    String cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n";
    assertThatThrownBy(() -> apply(cm)).hasMessageContaining("no endpoints available");
    waiter.await(
        new KubernetesConditions(client).serviceHasEndpoints("default", "hook"),
        Duration.ofSeconds(5));
    apply(cm);
    assertThat(client.configMaps().inNamespace("default").withName("c").get()).isNotNull();
  }

  @Test
  void faultsReachOnlyTheClientUnderTest() {
    cluster.faults().fail("PATCH", "/configmaps/c", 503, 1).drop("PATCH", "/configmaps/d", 1);
    String c = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n";
    assertThatThrownBy(() -> apply(c))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(503));
    assertThatThrownBy(() -> apply(c.replace("name: c", "name: d")))
        .isInstanceOf(KubernetesClientException.class);
    // the dropped request was applied all the same
    assertThat(client.configMaps().inNamespace("default").withName("d").get()).isNotNull();
    assertThat(cluster.faults().injected()).hasSize(2);
  }

  @Test
  void immutableFieldsAreRefusedWith422AsARealServerDoes() {
    String deployment =
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: d, namespace: default}
        spec:
          selector: {matchLabels: {app: d}}
          template:
            metadata: {labels: {app: d}}
            spec: {containers: [{name: c, image: "i:%s"}]}
        """;
    apply(deployment.formatted("1"));
    // the template may change
    apply(deployment.formatted("2"));
    String otherSelector =
        deployment.formatted("2").replace("matchLabels: {app: d}", "matchLabels: {app: d, v: x}");
    assertThatThrownBy(() -> apply(otherSelector))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains("spec.selector: field is immutable");
            });
    assertThat(cluster.refusals())
        .anyMatch(r -> r.reason().equals("immutable spec.selector") && r.name().equals("d"));
    String binding =
        """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: b}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %s}
        subjects: [{kind: ServiceAccount, name: s, namespace: default}]
        """;
    apply(binding.formatted("cluster-admin"));
    assertThatThrownBy(() -> apply(binding.formatted("kubeflow-metacontroller")))
        .hasMessageContaining("roleRef: field is immutable");
  }
}
