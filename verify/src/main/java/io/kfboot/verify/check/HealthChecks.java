package io.kfboot.verify.check;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.KubernetesConditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The platform's health, as a person checks it before trusting an install: nodes Ready, every pod
 * of the platform's namespaces Running and Ready (or Succeeded), every CRD Established, every
 * webhook's Service with endpoints. Each waits for its condition, so a cluster still settling
 * passes once it has settled.
 */
public final class HealthChecks {
  /**
   * More restarts than this are reported (a pod that had to retry its start is normal; a loop is
   * not).
   */
  public static final int RESTARTS_FLAGGED = 3;

  private HealthChecks() {}

  public static List<VerifyCheck> all(List<String> namespaces) {
    return List.of(
        nodesReady(), crdsEstablished(), webhooksHaveEndpoints(), podsHealthy(namespaces));
  }

  static VerifyCheck of(
      String id,
      String description,
      List<String> after,
      Function<KubernetesClient, Condition> condition) {
    return VerifyCheck.of(
        id,
        description,
        after,
        Duration.ofMinutes(5),
        (client, waiter, timeout) -> waiter.await(condition.apply(client), timeout).detail());
  }

  public static VerifyCheck nodesReady() {
    return of(
        "nodes-ready",
        "every node Ready",
        List.of(),
        client ->
            Condition.of(
                "every node Ready",
                List.of(),
                () -> {
                  List<Node> nodes = client.nodes().list().getItems();
                  List<String> notReady =
                      nodes.stream()
                          .filter(n -> !ready(n))
                          .map(n -> n.getMetadata().getName())
                          .sorted()
                          .toList();
                  if (nodes.isEmpty()) {
                    return ConditionResult.pending("no node registered");
                  }
                  return notReady.isEmpty()
                      ? ConditionResult.met(nodes.size() + " nodes Ready")
                      : ConditionResult.pending("not Ready: " + String.join(", ", notReady));
                }));
  }

  private static boolean ready(Node n) {
    return n.getStatus() != null
        && n.getStatus().getConditions() != null
        && n.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  public static VerifyCheck crdsEstablished() {
    return of(
        "crds-established",
        "every CRD Established",
        List.of("nodes-ready"),
        client ->
            Condition.of(
                "every CRD Established",
                List.of(),
                () -> {
                  List<CustomResourceDefinition> crds =
                      client.apiextensions().v1().customResourceDefinitions().list().getItems();
                  List<String> not =
                      crds.stream()
                          .filter(
                              c ->
                                  c.getStatus() == null
                                      || c.getStatus().getConditions() == null
                                      || c.getStatus().getConditions().stream()
                                          .noneMatch(
                                              x ->
                                                  "Established".equals(x.getType())
                                                      && "True".equals(x.getStatus())))
                          .map(c -> c.getMetadata().getName())
                          .sorted()
                          .toList();
                  return not.isEmpty()
                      ? ConditionResult.met(crds.size() + " CRDs Established")
                      : ConditionResult.pending("not Established: " + String.join(", ", not));
                }));
  }

  private static void addService(Set<String> services, WebhookClientConfig config) {
    if (config != null && config.getService() != null) {
      services.add(config.getService().getNamespace() + "/" + config.getService().getName());
    }
  }

  /** Services that webhooks call, "namespace/name", from every webhook configuration. */
  static TreeSet<String> webhookServices(KubernetesClient client) {
    TreeSet<String> services = new TreeSet<>();
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .list()
        .getItems()
        .forEach(m -> m.getWebhooks().forEach(w -> addService(services, w.getClientConfig())));
    client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .list()
        .getItems()
        .forEach(v -> v.getWebhooks().forEach(w -> addService(services, w.getClientConfig())));
    return services;
  }

  public static VerifyCheck webhooksHaveEndpoints() {
    return of(
        "webhooks-have-endpoints",
        "every admission webhook's Service has ready endpoints",
        List.of("nodes-ready"),
        client -> {
          KubernetesConditions conditions = new KubernetesConditions(client);
          TreeSet<String> services = webhookServices(client);
          List<String> namespaces =
              services.stream().map(s -> s.substring(0, s.indexOf('/'))).distinct().toList();
          return Condition.of(
              "every webhook Service with endpoints",
              namespaces,
              () -> {
                List<String> without = new ArrayList<>();
                for (String s : services) {
                  if (!conditions
                      .serviceHasEndpoints(
                          s.substring(0, s.indexOf('/')), s.substring(s.indexOf('/') + 1))
                      .check()
                      .met()) {
                    without.add(s);
                  }
                }
                return without.isEmpty()
                    ? ConditionResult.met(services.size() + " webhook Services with endpoints")
                    : ConditionResult.pending("no ready endpoints: " + String.join(", ", without));
              });
        });
  }

  /**
   * Every pod of these namespaces Running with every container ready, or Succeeded; pods that
   * restarted more than {@value #RESTARTS_FLAGGED} times are named in the result even when ready.
   */
  public static VerifyCheck podsHealthy(List<String> namespaces) {
    return of(
        "pods-healthy",
        "every pod of " + String.join(", ", namespaces) + " Running and Ready, or Succeeded",
        List.of("nodes-ready"),
        client ->
            Condition.of(
                "every pod Running and Ready, or Succeeded",
                namespaces,
                () -> {
                  List<String> unhealthy = new ArrayList<>();
                  List<String> restarting = new ArrayList<>();
                  int count = 0;
                  for (String ns : namespaces) {
                    for (Pod p : client.pods().inNamespace(ns).list().getItems()) {
                      count++;
                      String phase = KubernetesConditions.phase(p);
                      List<ContainerStatus> statuses =
                          p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                              ? List.of()
                              : p.getStatus().getContainerStatuses();
                      boolean allReady =
                          !statuses.isEmpty()
                              && statuses.stream().allMatch(s -> Boolean.TRUE.equals(s.getReady()));
                      int restarts =
                          statuses.stream()
                              .mapToInt(s -> s.getRestartCount() == null ? 0 : s.getRestartCount())
                              .sum();
                      if (!(phase.equals("Succeeded") || phase.equals("Running") && allReady)) {
                        unhealthy.add(
                            ns
                                + "/"
                                + p.getMetadata().getName()
                                + " "
                                + phase
                                + waitingReason(statuses));
                      }
                      if (restarts > RESTARTS_FLAGGED) {
                        restarting.add(
                            ns + "/" + p.getMetadata().getName() + " (" + restarts + " restarts)");
                      }
                    }
                  }
                  String flagged =
                      restarting.isEmpty()
                          ? ""
                          : "; restarted often: " + String.join(", ", restarting);
                  return unhealthy.isEmpty()
                      ? ConditionResult.met(count + " pods healthy" + flagged)
                      : ConditionResult.pending(
                          unhealthy.size()
                              + " of "
                              + count
                              + " pods not healthy: "
                              + String.join(", ", unhealthy)
                              + flagged);
                }));
  }

  private static String waitingReason(List<ContainerStatus> statuses) {
    return statuses.stream()
        .filter(s -> s.getState() != null && s.getState().getWaiting() != null)
        .map(s -> " (" + s.getState().getWaiting().getReason() + ")")
        .findFirst()
        .orElse("");
  }
}
