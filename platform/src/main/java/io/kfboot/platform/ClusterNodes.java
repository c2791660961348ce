package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSpec;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kfboot.bootstrap.k3s.K3sUpgrade;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A cluster's nodes through the Kubernetes API, for k3s upgrades and node removal: cordon, drain
 * through the eviction API (so PodDisruptionBudgets hold, as {@code kubectl drain} does), Ready at
 * a kubelet version, the volumes pinned to a node, and a node's removal with the password Secret
 * k3s keeps for it.
 */
public final class ClusterNodes implements K3sUpgrade.Nodes {
  /** Marks a cordon kfboot made, so that only that one is undone (an admin's cordon stays). */
  static final String CORDONED = "kfboot.io/cordoned";

  /**
   * Where k3s keeps each node's password
   * (https://docs.k3s.io/architecture#how-agent-node-registration-works).
   */
  static final String NODE_PASSWORD_NAMESPACE = "kube-system";

  private static final String HOSTNAME_LABEL = "kubernetes.io/hostname";

  private final KubernetesClient client;
  private final Waiter waiter;
  private final String reason;

  /**
   * @param reason why kfboot cordons, kept in its annotation ("k3s-upgrade", "remove")
   */
  public ClusterNodes(KubernetesClient client, Waiter waiter, String reason) {
    this.client = client;
    this.waiter = waiter;
    this.reason = reason;
  }

  public static String nodePasswordSecret(String node) {
    return node + ".node-password.k3s";
  }

  @Override
  public Optional<String> kubeletVersion(String node) {
    Node n = client.nodes().withName(node).get();
    return Optional.ofNullable(n)
        .map(Node::getStatus)
        .map(s -> s.getNodeInfo() == null ? null : s.getNodeInfo().getKubeletVersion());
  }

  public boolean exists(String node) {
    return client.nodes().withName(node).get() != null;
  }

  /** The names of the cluster's nodes. */
  public List<String> names() {
    return client.nodes().list().getItems().stream().map(n -> n.getMetadata().getName()).toList();
  }

  /** Pods a drain evicts: not a DaemonSet's, not a static (mirror) pod, not finished. */
  List<Pod> evictable(String node) {
    List<Pod> out = new ArrayList<>();
    for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
      if (!node.equals(p.getSpec() == null ? null : p.getSpec().getNodeName())) {
        continue;
      }
      String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
      boolean daemon =
          p.getMetadata().getOwnerReferences() != null
              && p.getMetadata().getOwnerReferences().stream()
                  .anyMatch(o -> "DaemonSet".equals(o.getKind()));
      boolean mirror =
          p.getMetadata().getAnnotations() != null
              && p.getMetadata().getAnnotations().containsKey("kubernetes.io/config.mirror");
      if (!daemon && !mirror && !"Succeeded".equals(phase) && !"Failed".equals(phase)) {
        out.add(p);
      }
    }
    return out;
  }

  @Override
  public List<String> drainBlockers(String node) {
    List<String> blockers = new ArrayList<>();
    Map<String, List<PodDisruptionBudget>> budgets = new HashMap<>();
    for (Pod p : evictable(node)) {
      String ns = p.getMetadata().getNamespace();
      String pod = ns + "/" + p.getMetadata().getName();
      List<OwnerReference> owners = p.getMetadata().getOwnerReferences();
      if (owners == null || owners.isEmpty()) {
        blockers.add(
            "pod "
                + pod
                + " has no controller, so nothing would start it again elsewhere; delete it"
                + " (kubectl -n "
                + ns
                + " delete pod "
                + p.getMetadata().getName()
                + ") if it may go");
        continue;
      }
      for (PodDisruptionBudget pdb :
          budgets.computeIfAbsent(
              ns,
              n -> client.policy().v1().podDisruptionBudget().inNamespace(n).list().getItems())) {
        if (!matches(pdb.getSpec().getSelector(), p.getMetadata().getLabels())) {
          continue;
        }
        int allowed = disruptionsAllowed(pdb, ns);
        if (allowed <= 0) {
          blockers.add(
              "PodDisruptionBudget "
                  + ns
                  + "/"
                  + pdb.getMetadata().getName()
                  + " ("
                  + budgetText(pdb)
                  + ") allows no disruption, so pod "
                  + pod
                  + " cannot be evicted");
        }
      }
    }
    return blockers;
  }

  private static String budgetText(PodDisruptionBudget pdb) {
    IntOrString min = pdb.getSpec().getMinAvailable();
    IntOrString max = pdb.getSpec().getMaxUnavailable();
    return min != null
        ? "minAvailable " + text(min)
        : max != null ? "maxUnavailable " + text(max) : "no limits";
  }

  private static String text(IntOrString v) {
    return v.getStrVal() != null ? v.getStrVal() : String.valueOf(v.getIntVal());
  }

  /**
   * What the disruption controller reports, else the same sum from the spec over the healthy pods
   * it selects (a Running pod counts as healthy).
   */
  int disruptionsAllowed(PodDisruptionBudget pdb, String ns) {
    if (pdb.getStatus() != null && pdb.getStatus().getDisruptionsAllowed() != null) {
      return pdb.getStatus().getDisruptionsAllowed();
    }
    List<Pod> selected =
        client.pods().inNamespace(ns).list().getItems().stream()
            .filter(p -> matches(pdb.getSpec().getSelector(), p.getMetadata().getLabels()))
            .toList();
    int expected = selected.size();
    int healthy =
        (int)
            selected.stream()
                .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
                .count();
    IntOrString min = pdb.getSpec().getMinAvailable();
    IntOrString max = pdb.getSpec().getMaxUnavailable();
    if (min != null) {
      return healthy - count(min, expected);
    }
    if (max != null) {
      return count(max, expected) - (expected - healthy);
    }
    return healthy;
  }

  /** An absolute count or a percentage of {@code of}, rounded up as the API server does. */
  static int count(IntOrString v, int of) {
    if (v.getStrVal() == null) {
      return v.getIntVal();
    }
    int percent = Integer.parseInt(v.getStrVal().replace("%", "").strip());
    return (int) Math.ceil(percent * of / 100.0);
  }

  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false; // policy/v1: a null selector selects no pod, an empty one every pod
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null
        && !l.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
      return false;
    }
    for (LabelSelectorRequirement r :
        selector.getMatchExpressions() == null
            ? List.<LabelSelectorRequirement>of()
            : selector.getMatchExpressions()) {
      String v = l.get(r.getKey());
      boolean ok =
          switch (r.getOperator()) {
            case "In" -> v != null && r.getValues().contains(v);
            case "NotIn" -> v == null || !r.getValues().contains(v);
            case "Exists" -> v != null;
            case "DoesNotExist" -> v == null;
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void cordon(String node) {
    client
        .nodes()
        .withName(node)
        .edit(
            n -> {
              if (n.getSpec() == null) {
                n.setSpec(new NodeSpec());
              }
              if (!Boolean.TRUE.equals(n.getSpec().getUnschedulable())) {
                n.getSpec().setUnschedulable(true);
                if (n.getMetadata().getAnnotations() == null) {
                  n.getMetadata().setAnnotations(new HashMap<>());
                }
                n.getMetadata().getAnnotations().put(CORDONED, reason);
              }
              return n;
            });
  }

  @Override
  public void uncordon(String node) {
    Node n = client.nodes().withName(node).get();
    if (n == null
        || n.getMetadata().getAnnotations() == null
        || !n.getMetadata().getAnnotations().containsKey(CORDONED)) {
      return;
    }
    client
        .nodes()
        .withName(node)
        .edit(
            e -> {
              if (e.getSpec() != null) {
                e.getSpec().setUnschedulable(null);
              }
              e.getMetadata().getAnnotations().remove(CORDONED);
              return e;
            });
  }

  @Override
  public void drain(String node, Duration timeout) {
    List<String> namespaces =
        evictable(node).stream().map(p -> p.getMetadata().getNamespace()).distinct().toList();
    waiter.await(
        Condition.of(
            "pods evicted from node " + node,
            namespaces,
            () -> {
              // one list of the node's pods per look: those left are asked to go, and the next
              // look sees whether they went
              List<Pod> still = evictable(node);
              for (Pod p : still) {
                if (p.getMetadata().getDeletionTimestamp() == null) {
                  // false: the API answered 429, a budget allows no disruption yet; asked again
                  // at the next look
                  client
                      .pods()
                      .inNamespace(p.getMetadata().getNamespace())
                      .withName(p.getMetadata().getName())
                      .evict();
                }
              }
              return still.isEmpty()
                  ? ConditionResult.met("no pods left to evict")
                  : ConditionResult.pending(
                      still.size()
                          + " pods still on it: "
                          + String.join(
                              ", ",
                              still.stream()
                                  .limit(5)
                                  .map(
                                      p ->
                                          p.getMetadata().getNamespace()
                                              + "/"
                                              + p.getMetadata().getName())
                                  .toList()));
            }),
        timeout);
  }

  @Override
  public void awaitReady(String node, String version, Duration timeout) {
    waiter.await(
        Condition.of(
            "node " + node + " Ready at " + version,
            List.of("kube-system"),
            () -> {
              Node n = client.nodes().withName(node).get();
              if (n == null) {
                return ConditionResult.pending("not registered");
              }
              String kubelet = kubeletVersion(node).orElse("?");
              boolean ready =
                  n.getStatus() != null
                      && n.getStatus().getConditions() != null
                      && n.getStatus().getConditions().stream()
                          .anyMatch(
                              (NodeCondition c) ->
                                  "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
              if (!version.equals(kubelet)) {
                return ConditionResult.pending("kubelet reports " + kubelet);
              }
              return ready
                  ? ConditionResult.met("Ready at " + version)
                  : ConditionResult.pending("at " + version + ", not Ready yet");
            }),
        timeout);
  }

  /**
   * The claims whose volumes live on {@code node} only (local-path: a PersistentVolume whose node
   * affinity names that host), as "namespace/claim (volume)"; removing the node loses their data.
   */
  public List<String> pinnedClaims(String node) {
    List<String> out = new ArrayList<>();
    for (PersistentVolume pv : client.persistentVolumes().list().getItems()) {
      if (pv.getSpec().getClaimRef() == null || !pinnedTo(pv, node)) {
        continue;
      }
      out.add(
          pv.getSpec().getClaimRef().getNamespace()
              + "/"
              + pv.getSpec().getClaimRef().getName()
              + " ("
              + pv.getMetadata().getName()
              + ")");
    }
    return out;
  }

  private static boolean pinnedTo(PersistentVolume pv, String node) {
    if (pv.getSpec().getNodeAffinity() == null
        || pv.getSpec().getNodeAffinity().getRequired() == null) {
      return false;
    }
    for (NodeSelectorTerm term :
        pv.getSpec().getNodeAffinity().getRequired().getNodeSelectorTerms()) {
      for (NodeSelectorRequirement r :
          term.getMatchExpressions() == null
              ? List.<NodeSelectorRequirement>of()
              : term.getMatchExpressions()) {
        if (HOSTNAME_LABEL.equals(r.getKey())
            && "In".equals(r.getOperator())
            && r.getValues() != null
            && r.getValues().contains(node)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The Node and its k3s password Secret deleted: without the Secret's removal a new host of the
   * same name cannot join ("the node should be deleted from the cluster",
   * https://docs.k3s.io/architecture#how-agent-node-registration-works). Deleting a server's Node
   * also makes k3s take it out of etcd.
   */
  public void delete(String node) {
    client.nodes().withName(node).delete();
    client
        .secrets()
        .inNamespace(NODE_PASSWORD_NAMESPACE)
        .withName(nodePasswordSecret(node))
        .delete();
  }

  /** Where {@code hosts up} records the inventory hosts it joined: kube-system/{@value}. */
  public static final String JOINED_RECORD = "kfboot-hosts";

  /** The hosts the last {@code hosts up} joined; empty where none recorded any. */
  public List<String> joinedHosts() {
    ConfigMap cm =
        client.configMaps().inNamespace(NODE_PASSWORD_NAMESPACE).withName(JOINED_RECORD).get();
    if (cm == null || cm.getData() == null || cm.getData().get("hosts") == null) {
      return List.of();
    }
    return cm.getData().get("hosts").lines().filter(l -> !l.isBlank()).toList();
  }

  /** Records {@code hosts} as the ones kfboot joined, written only where it changes. */
  public void recordJoined(String cluster, List<String> hosts) {
    List<String> sorted = hosts.stream().sorted().toList();
    if (joinedHosts().equals(sorted)) {
      return;
    }
    client
        .configMaps()
        .inNamespace(NODE_PASSWORD_NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(JOINED_RECORD)
                .withNamespace(NODE_PASSWORD_NAMESPACE)
                .addToLabels("app.kubernetes.io/managed-by", "kfboot")
                .endMetadata()
                .addToData("cluster", cluster)
                .addToData("hosts", String.join("\n", sorted) + "\n")
                .build())
        .createOr(NonDeletingOperation::update);
  }
}
