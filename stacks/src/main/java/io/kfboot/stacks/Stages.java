package io.kfboot.stacks;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.install.AppliedInventory.Entry;
import io.kfboot.components.plan.ApplyOrder;
import io.kfboot.components.plan.ApplyOrder.Phase;
import io.kfboot.components.plan.ClusterCheck;
import io.kfboot.components.plan.OwnerLabel;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.components.upgrade.KeepRules;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Scopes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * A component's objects cut into the stages the install engine goes through, each a ConfigGroup of
 * the stack that depends on the stages before it. The cut is the engine's own ({@link
 * ApplyOrder#byPhase}); what the engine waits for between stages, the stack expresses so:
 *
 * <ul>
 *   <li>{@code crds}: every CRD carries {@code pulumi.com/waitFor: condition=Established}, so no
 *       custom resource is sent before its kind is served;
 *   <li>{@code objects}: namespaces, RBAC, config, services and workloads, awaited as the
 *       Kubernetes provider does by default (Deployments Available, StatefulSets and DaemonSets
 *       ready, Services with endpoints), which covers the catalog's gates on them;
 *   <li>{@code gated}: workloads a {@code before:} gate holds back (the KFP API server behind
 *       MySQL), created once {@code objects} is awaited;
 *   <li>{@code webhooks}: webhook configurations, once their Services (in {@code objects}) have
 *       endpoints;
 *   <li>{@code resources}: custom resources, after the CRDs and the webhooks that admit them;
 *   <li>{@code checks}: the objects of the component's {@link ClusterCheck}s with their waitFor
 *       (the storage probe claim Bound and pod Succeeded; a CUDA pod Succeeded for GPUs).
 * </ul>
 *
 * <p>Within a stage, the objects an upgrade never prunes ({@link KeepRules}: CRDs, Namespaces,
 * claims, Profiles, generated Secrets) are {@code retained}: the stack registers each as a resource
 * of its own with {@code retainOnDelete}, since that option set on a ConfigGroup does not reach its
 * children (pulumi/pulumi-kubernetes#3065, closed as won't fix). So neither a release that drops
 * them nor {@code pulumi destroy} deletes what holds users' data.
 */
public final class Stages {
  public static final String WAIT_FOR = "pulumi.com/waitFor";

  /**
   * One step of a component: a name within it, the objects of its ConfigGroup, the objects kept on
   * the cluster when the stack lets go of them, and the stages it follows.
   */
  public record Stage(
      String name,
      List<Map<String, Object>> objects,
      List<Map<String, Object>> retained,
      List<String> after) {}

  private Stages() {}

  public static List<Stage> of(PlannedComponent c, Scopes scopes) {
    Map<Phase, List<K8sObject>> byPhase = ApplyOrder.byPhase(c.objects(), scopes);
    Set<String> heldBack = new HashSet<>();
    for (Gate g : c.gates()) {
      heldBack.addAll(g.before());
    }
    List<Stage> stages = new ArrayList<>();
    List<String> done = new ArrayList<>();
    add(
        stages,
        done,
        "crds",
        byPhase.getOrDefault(Phase.CRDS, List.of()),
        c,
        scopes,
        body -> withWaitFor(body, "condition=Established"));
    List<K8sObject> objects = new ArrayList<>();
    List<K8sObject> gated = new ArrayList<>();
    for (Phase p :
        List.of(Phase.NAMESPACES, Phase.CLUSTER_RBAC, Phase.CLUSTER_SCOPED, Phase.NAMESPACED)) {
      for (K8sObject o : byPhase.getOrDefault(p, List.of())) {
        (heldBack.contains(o.namespace() + "/" + o.name()) ? gated : objects).add(o);
      }
    }
    add(stages, done, "objects", objects, c, scopes, body -> body);
    add(stages, done, "gated", gated, c, scopes, body -> body);
    add(
        stages,
        done,
        "webhooks",
        byPhase.getOrDefault(Phase.WEBHOOKS, List.of()),
        c,
        scopes,
        body -> body);
    add(
        stages,
        done,
        "resources",
        byPhase.getOrDefault(Phase.CUSTOM_RESOURCES, List.of()),
        c,
        scopes,
        body -> body);
    List<Map<String, Object>> checks = new ArrayList<>();
    for (ClusterCheck check : c.checks()) {
      for (Map.Entry<HasMetadata, String> e : check.asAwaitedObjects().entrySet()) {
        Map<String, Object> body =
            Serialization.unmarshal(Serialization.asJson(e.getKey()), Map.class);
        checks.add(e.getValue().isEmpty() ? body : withWaitFor(body, e.getValue()));
      }
    }
    // kfboot's own check objects (the probe claim) hold nothing of users': never retained
    if (!checks.isEmpty()) {
      stages.add(new Stage("checks", List.copyOf(checks), List.of(), List.copyOf(done)));
    }
    return stages;
  }

  private static void add(
      List<Stage> stages,
      List<String> done,
      String name,
      List<K8sObject> objects,
      PlannedComponent c,
      Scopes scopes,
      UnaryOperator<Map<String, Object>> finish) {
    if (objects.isEmpty()) {
      return;
    }
    List<Map<String, Object>> grouped = new ArrayList<>();
    List<Map<String, Object>> retained = new ArrayList<>();
    for (K8sObject o : objects) {
      (retained(o, scopes) ? retained : grouped).add(finish.apply(owned(o, c)));
    }
    stages.add(new Stage(name, List.copyOf(grouped), List.copyOf(retained), List.copyOf(done)));
    done.add(name);
  }

  /** Whether an upgrade would keep the object rather than prune it; see {@link KeepRules}. */
  static boolean retained(K8sObject o, Scopes scopes) {
    return KeepRules.of(Entry.of(o, scopes, AppliedInventory.DEFAULT_NAMESPACE)).disposition()
        != KeepRules.Disposition.PRUNE;
  }

  /** The body as the CLI's engine applies it: with its component's {@link OwnerLabel}. */
  private static Map<String, Object> owned(K8sObject o, PlannedComponent c) {
    return OwnerLabel.apply(o.body(), c.id());
  }

  /** A copy of the body with the annotation; the rendered object is shared with other users. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> withWaitFor(Map<String, Object> body, String expression) {
    Map<String, Object> copy = new LinkedHashMap<>(body);
    Map<String, Object> meta =
        new LinkedHashMap<>((Map<String, Object>) copy.getOrDefault("metadata", Map.of()));
    Map<String, Object> annotations =
        meta.get("annotations") instanceof Map<?, ?> a
            ? new LinkedHashMap<>((Map<String, Object>) a)
            : new LinkedHashMap<>();
    annotations.put(WAIT_FOR, expression);
    meta.put("annotations", annotations);
    copy.put("metadata", meta);
    return copy;
  }
}
