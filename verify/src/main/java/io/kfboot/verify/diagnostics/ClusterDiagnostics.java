package io.kfboot.verify.diagnostics;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * A dump of what a person runs {@code kubectl describe} for: per namespace, the deployments and
 * statefulsets (replicas, ready, available, conditions), the pods (phase, reason, each container's
 * state and restarts) and the newest events. Reading fails softly: diagnostics must never hide the
 * error they explain.
 */
public final class ClusterDiagnostics implements Diagnostics {
  static final int MAX_EVENTS = 15;
  private final KubernetesClient client;

  public ClusterDiagnostics(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public String describe(Collection<String> namespaces) {
    StringBuilder sb = new StringBuilder();
    for (String ns : new LinkedHashSet<>(namespaces)) {
      sb.append("namespace ").append(ns).append(":\n");
      try {
        describeNamespace(ns, sb);
      } catch (RuntimeException e) {
        sb.append("  (could not read: ").append(e.getMessage()).append(")\n");
      }
    }
    return sb.toString();
  }

  private void describeNamespace(String ns, StringBuilder sb) {
    for (Deployment d : client.apps().deployments().inNamespace(ns).list().getItems()) {
      var st = d.getStatus();
      sb.append("  deployment ")
          .append(d.getMetadata().getName())
          .append(": replicas ")
          .append(d.getSpec() == null ? null : d.getSpec().getReplicas())
          .append(", ready ")
          .append(count(st == null ? null : st.getReadyReplicas()))
          .append(", available ")
          .append(count(st == null ? null : st.getAvailableReplicas()));
      if (st != null && st.getConditions() != null) {
        for (DeploymentCondition c : st.getConditions()) {
          sb.append("; ").append(c.getType()).append('=').append(c.getStatus());
          if (c.getReason() != null) {
            sb.append(" (").append(c.getReason()).append(')');
          }
        }
      }
      sb.append('\n');
    }
    for (StatefulSet s : client.apps().statefulSets().inNamespace(ns).list().getItems()) {
      var st = s.getStatus();
      sb.append("  statefulset ")
          .append(s.getMetadata().getName())
          .append(": replicas ")
          .append(s.getSpec() == null ? null : s.getSpec().getReplicas())
          .append(", ready ")
          .append(count(st == null ? null : st.getReadyReplicas()))
          .append('\n');
    }
    for (Pod p : client.pods().inNamespace(ns).list().getItems()) {
      var st = p.getStatus();
      sb.append("  pod ")
          .append(p.getMetadata().getName())
          .append(": ")
          .append(st == null ? "no status" : st.getPhase());
      if (st != null && st.getReason() != null) {
        sb.append(" (").append(st.getReason()).append(')');
      }
      if (st != null && st.getContainerStatuses() != null) {
        for (ContainerStatus cs : st.getContainerStatuses()) {
          sb.append("; ")
              .append(cs.getName())
              .append(' ')
              .append(containerState(cs))
              .append(", restarts ")
              .append(Objects.requireNonNullElse(cs.getRestartCount(), 0));
        }
      }
      sb.append('\n');
    }
    List<Event> events =
        client.v1().events().inNamespace(ns).list().getItems().stream()
            .sorted(
                Comparator.comparing(
                        ClusterDiagnostics::eventTime,
                        Comparator.nullsFirst(Comparator.naturalOrder()))
                    .reversed())
            .limit(MAX_EVENTS)
            .toList();
    for (Event e : events) {
      sb.append("  event ")
          .append(Objects.requireNonNullElse(eventTime(e), "?"))
          .append(' ')
          .append(e.getType())
          .append(' ')
          .append(e.getReason())
          .append(' ')
          .append(
              e.getInvolvedObject() == null
                  ? ""
                  : e.getInvolvedObject().getKind() + "/" + e.getInvolvedObject().getName())
          .append(": ")
          .append(e.getMessage())
          .append('\n');
    }
  }

  private static String eventTime(Event e) {
    return e.getLastTimestamp() != null
        ? e.getLastTimestamp()
        : e.getEventTime() != null ? e.getEventTime().getTime() : e.getFirstTimestamp();
  }

  private static int count(Integer n) {
    return n == null ? 0 : n;
  }

  static String containerState(ContainerStatus cs) {
    var s = cs.getState();
    if (s == null) {
      return "unknown";
    }
    if (s.getWaiting() != null) {
      return "waiting: "
          + s.getWaiting().getReason()
          + (s.getWaiting().getMessage() == null ? "" : " (" + s.getWaiting().getMessage() + ")");
    }
    if (s.getTerminated() != null) {
      return "terminated: "
          + s.getTerminated().getReason()
          + " exit "
          + s.getTerminated().getExitCode();
    }
    return Boolean.TRUE.equals(cs.getReady()) ? "running, ready" : "running, not ready";
  }
}
