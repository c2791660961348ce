package io.kfboot.stacks;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.plan.ApplyOrder;
import io.kfboot.components.plan.ApplyOrder.Phase;
import io.kfboot.components.plan.ClusterCheck;
import io.kfboot.components.plan.OwnerLabel;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Scopes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
 */
public final class Stages {
  public static final String WAIT_FOR = "pulumi.com/waitFor";

  /** One ConfigGroup: a name within the component, its objects, the stages it follows. */
  public record Stage(String name, List<Map<String, Object>> objects, List<String> after) {}

  private Stages() {}

  public static List<Stage> of(PlannedComponent c, Scopes scopes) {
    Map<Phase, List<K8sObject>> byPhase = ApplyOrder.byPhase(c.objects(), scopes);
    Set<String> heldBack = new HashSet<>();
    for (Gate g : c.gates()) {
      heldBack.addAll(g.before());
    }
    List<Stage> stages = new ArrayList<>();
    List<String> done = new ArrayList<>();
    List<Map<String, Object>> crds =
        byPhase.getOrDefault(Phase.CRDS, List.of()).stream()
            .map(o -> withWaitFor(owned(o, c), "condition=Established"))
            .toList();
    add(stages, done, "crds", crds, List.copyOf(done));
    List<Map<String, Object>> objects = new ArrayList<>();
    List<Map<String, Object>> gated = new ArrayList<>();
    for (Phase p :
        List.of(Phase.NAMESPACES, Phase.CLUSTER_RBAC, Phase.CLUSTER_SCOPED, Phase.NAMESPACED)) {
      for (K8sObject o : byPhase.getOrDefault(p, List.of())) {
        (heldBack.contains(o.namespace() + "/" + o.name()) ? gated : objects).add(owned(o, c));
      }
    }
    add(stages, done, "objects", objects, List.copyOf(done));
    add(stages, done, "gated", gated, List.copyOf(done));
    add(stages, done, "webhooks", bodies(byPhase.get(Phase.WEBHOOKS), c), List.copyOf(done));
    add(
        stages,
        done,
        "resources",
        bodies(byPhase.get(Phase.CUSTOM_RESOURCES), c),
        List.copyOf(done));
    List<Map<String, Object>> checks = new ArrayList<>();
    for (ClusterCheck check : c.checks()) {
      for (Map.Entry<HasMetadata, String> e : check.asAwaitedObjects().entrySet()) {
        Map<String, Object> body =
            Serialization.unmarshal(Serialization.asJson(e.getKey()), Map.class);
        checks.add(e.getValue().isEmpty() ? body : withWaitFor(body, e.getValue()));
      }
    }
    add(stages, done, "checks", checks, List.copyOf(done));
    return stages;
  }

  private static void add(
      List<Stage> stages,
      List<String> done,
      String name,
      List<Map<String, Object>> objects,
      List<String> after) {
    if (objects.isEmpty()) {
      return;
    }
    stages.add(new Stage(name, List.copyOf(objects), after));
    done.add(name);
  }

  private static List<Map<String, Object>> bodies(List<K8sObject> objects, PlannedComponent c) {
    return objects == null ? List.of() : objects.stream().map(o -> owned(o, c)).toList();
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
