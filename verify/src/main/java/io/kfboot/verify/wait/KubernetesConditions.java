package io.kfboot.verify.wait;

import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The readiness conditions kfboot gates on, read the way kubectl reads them: a CRD's Established
 * condition, a Deployment's Available condition with every replica available at the current
 * generation, a StatefulSet's or DaemonSet's ready count, a Service's ready endpoint addresses.
 */
public final class KubernetesConditions {
  private final KubernetesClient client;

  public KubernetesConditions(KubernetesClient client) {
    this.client = client;
  }

  private static Condition of(
      String description,
      String watchKey,
      List<String> namespaces,
      Supplier<ConditionResult> check) {
    return Condition.of(description, watchKey, namespaces, check);
  }

  /**
   * A pod's phase as kubectl shows it; "Pending" until the kubelet reports one, "Gone" when
   * deleted.
   */
  public static String phase(Pod pod) {
    if (pod == null) {
      return "Gone";
    }
    return pod.getStatus() == null || pod.getStatus().getPhase() == null
        ? "Pending"
        : pod.getStatus().getPhase();
  }

  /** A pod that does not restart has run to its end: Succeeded or Failed. */
  public Condition podFinished(String namespace, String name) {
    return of(
        "Pod " + namespace + "/" + name + " finished",
        ClusterWatch.key("Pod", namespace, name),
        List.of(namespace),
        () -> {
          String phase = phase(client.pods().inNamespace(namespace).withName(name).get());
          return new ConditionResult(phase.equals("Succeeded") || phase.equals("Failed"), phase);
        });
  }

  public Condition crdEstablished(String name) {
    return of(
        "CRD " + name + " Established",
        ClusterWatch.key("CustomResourceDefinition", null, name),
        List.of(),
        () -> {
          CustomResourceDefinition crd =
              client.apiextensions().v1().customResourceDefinitions().withName(name).get();
          if (crd == null) {
            return ConditionResult.pending("not found");
          }
          boolean established =
              crd.getStatus() != null
                  && crd.getStatus().getConditions() != null
                  && crd.getStatus().getConditions().stream()
                      .anyMatch(
                          c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
          return established
              ? ConditionResult.met("established")
              : ConditionResult.pending("not established yet");
        });
  }

  public Condition deploymentAvailable(String namespace, String name) {
    return of(
        "Deployment " + namespace + "/" + name + " Available",
        ClusterWatch.key("Deployment", namespace, name),
        List.of(namespace),
        () -> {
          Deployment d = client.apps().deployments().inNamespace(namespace).withName(name).get();
          if (d == null) {
            return ConditionResult.pending("not found");
          }
          int want =
              d.getSpec() == null || d.getSpec().getReplicas() == null
                  ? 1
                  : d.getSpec().getReplicas();
          var st = d.getStatus();
          if (st == null) {
            return ConditionResult.pending("0/" + want + " available (no status yet)");
          }
          int available = Objects.requireNonNullElse(st.getAvailableReplicas(), 0);
          boolean current =
              st.getObservedGeneration() != null
                  && d.getMetadata().getGeneration() != null
                  && st.getObservedGeneration() >= d.getMetadata().getGeneration();
          boolean availableCondition =
              st.getConditions() != null
                  && st.getConditions().stream()
                      .anyMatch(
                          c -> "Available".equals(c.getType()) && "True".equals(c.getStatus()));
          String detail =
              available
                  + "/"
                  + want
                  + " available"
                  + (current ? "" : " (rollout not observed yet)");
          return available >= want && current && availableCondition
              ? ConditionResult.met(detail)
              : ConditionResult.pending(detail);
        });
  }

  public Condition statefulSetReady(String namespace, String name) {
    return of(
        "StatefulSet " + namespace + "/" + name + " ready",
        ClusterWatch.key("StatefulSet", namespace, name),
        List.of(namespace),
        () -> {
          StatefulSet s = client.apps().statefulSets().inNamespace(namespace).withName(name).get();
          if (s == null) {
            return ConditionResult.pending("not found");
          }
          int want =
              s.getSpec() == null || s.getSpec().getReplicas() == null
                  ? 1
                  : s.getSpec().getReplicas();
          int ready =
              s.getStatus() == null
                  ? 0
                  : Objects.requireNonNullElse(s.getStatus().getReadyReplicas(), 0);
          String detail = ready + "/" + want + " ready";
          return ready >= want ? ConditionResult.met(detail) : ConditionResult.pending(detail);
        });
  }

  public Condition daemonSetReady(String namespace, String name) {
    return of(
        "DaemonSet " + namespace + "/" + name + " ready",
        ClusterWatch.key("DaemonSet", namespace, name),
        List.of(namespace),
        () -> {
          DaemonSet d = client.apps().daemonSets().inNamespace(namespace).withName(name).get();
          if (d == null) {
            return ConditionResult.pending("not found");
          }
          var st = d.getStatus();
          if (st == null || st.getObservedGeneration() == null) {
            return ConditionResult.pending("not scheduled yet");
          }
          int want = Objects.requireNonNullElse(st.getDesiredNumberScheduled(), 0);
          int ready = Objects.requireNonNullElse(st.getNumberReady(), 0);
          String detail = ready + "/" + want + " nodes ready";
          return ready >= want ? ConditionResult.met(detail) : ConditionResult.pending(detail);
        });
  }

  public Condition serviceHasEndpoints(String namespace, String name) {
    return of(
        "Service " + namespace + "/" + name + " has ready endpoints",
        ClusterWatch.key("Endpoints", namespace, name),
        List.of(namespace),
        () -> {
          Endpoints e = client.endpoints().inNamespace(namespace).withName(name).get();
          int ready =
              e == null || e.getSubsets() == null
                  ? 0
                  : e.getSubsets().stream()
                      .map(EndpointSubset::getAddresses)
                      .filter(Objects::nonNull)
                      .mapToInt(List::size)
                      .sum();
          return ready > 0
              ? ConditionResult.met(ready + " ready addresses")
              : ConditionResult.pending("no ready addresses");
        });
  }

  public Condition namespaceGone(String name) {
    return of(
        "namespace " + name + " deleted",
        ClusterWatch.key("Namespace", null, name),
        List.of(name),
        () -> {
          Namespace n = client.namespaces().withName(name).get();
          if (n == null) {
            return ConditionResult.met("gone");
          }
          List<String> finalizers =
              n.getSpec() == null || n.getSpec().getFinalizers() == null
                  ? List.of()
                  : n.getSpec().getFinalizers();
          List<String> metaFinalizers =
              n.getMetadata().getFinalizers() == null ? List.of() : n.getMetadata().getFinalizers();
          return ConditionResult.pending(
              "still "
                  + (n.getStatus() == null ? "present" : n.getStatus().getPhase())
                  + (finalizers.isEmpty() && metaFinalizers.isEmpty()
                      ? ""
                      : ", finalizers " + finalizers + metaFinalizers));
        });
  }
}
