package io.kfboot.components.install;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.plan.ApplyOrder;
import io.kfboot.components.plan.ApplyOrder.Phase;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ObjectKey;
import io.kfboot.manifests.parse.ResourceRequests;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.diagnostics.Diagnostics;
import io.kfboot.verify.wait.KubernetesConditions;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Removes installed components in reverse dependency order. Inside a component: custom resources
 * first (while their controllers still run and can clear finalizers), then webhook configurations
 * (so that they block nothing else), namespaced objects, cluster-scoped objects and RBAC,
 * namespaces (waiting until they are gone, naming the finalizers that hold them), and CRDs last.
 */
public final class Uninstaller {
  /** What {@code --keep-base} keeps: the platform Kubeflow sits on, not Kubeflow itself. */
  public static final Set<String> BASE =
      Set.of("cert-manager", "istio-crds", "istio-namespace", "istio-install");

  private final KubernetesClient client;
  private final Installer.Options options;
  private final InstallListener listener;
  private final Diagnostics diagnostics;

  public Uninstaller(
      KubernetesClient client,
      Installer.Options options,
      InstallListener listener,
      Diagnostics diagnostics) {
    this.client = client;
    this.options = options;
    this.listener = listener;
    this.diagnostics = diagnostics;
  }

  /**
   * Removes {@code components} (all of the plan's when empty) and returns the ids removed, in the
   * order they were removed.
   *
   * @param plan the plan of everything installed, so that dependents outside the selection are seen
   */
  public List<String> uninstall(InstallPlan plan, Set<String> components, boolean keepBase) {
    Set<String> known =
        plan.components().stream().map(PlannedComponent::id).collect(Collectors.toSet());
    for (String id : components) {
      if (!known.contains(id)) {
        throw new InstallException(
            "component " + id + " is not in the plan of " + plan.tree().release().tag(),
            "name components that 'kfboot status' lists as installed",
            "",
            false,
            null);
      }
    }
    List<PlannedComponent> chosen =
        plan.components().stream()
            .filter(c -> components.isEmpty() || components.contains(c.id()))
            .filter(c -> !(keepBase && BASE.contains(c.id())))
            .toList();
    Set<String> chosenIds =
        chosen.stream()
            .map(PlannedComponent::id)
            .collect(Collectors.toCollection(LinkedHashSet::new));
    InstallState state = InstallState.read(client).orElse(null);
    if (state != null && !state.release().equals(plan.tree().release().tag())) {
      throw new InstallException(
          "the cluster holds kubeflow/manifests "
              + state.release()
              + ", not "
              + plan.tree().release().tag(),
          "uninstall with --manifests "
              + state.release()
              + " so that kfboot removes exactly what it installed",
          "",
          true,
          null);
    }
    // Refuse to pull a dependency from under a component that stays installed.
    if (state != null) {
      for (PlannedComponent c : plan.components()) {
        if (chosenIds.contains(c.id()) || !state.done().contains(c.id())) {
          continue;
        }
        for (String dep : c.spec().dependsOn()) {
          if (chosenIds.contains(dep)) {
            throw new InstallException(
                "component " + dep + " is needed by " + c.id() + ", which stays installed",
                "add " + c.id() + " to --components, or leave " + dep + " out",
                "",
                false,
                null);
          }
        }
      }
    }
    List<K8sObject> all = plan.components().stream().flatMap(c -> c.objects().stream()).toList();
    Scopes scopes = new Scopes(all);
    ObjectApplier applier =
        new ObjectApplier(client, options.retry(), listener, ObjectApplier.crdsByKind(all));
    KubernetesConditions conditions = new KubernetesConditions(client);
    Waiter waiter = new Waiter(options.poll(), diagnostics, Waiter.Listener.NONE);

    List<String> removed = new ArrayList<>();
    List<String> remaining = state == null ? new ArrayList<>() : new ArrayList<>(state.done());
    List<PlannedComponent> order = new ArrayList<>(chosen);
    // plan order is dependency order (waves); reverse it, deepest first
    Collections.reverse(order);
    AppliedInventory inventory =
        options
            .retry()
            .run("read applied objects", () -> AppliedInventory.read(client), listener)
            .orElse(AppliedInventory.empty());
    if (components.isEmpty() && !keepBase) {
      // components an upgrade left behind in part (a CRD that still had custom resources): in
      // neither the plan nor the install record; they go first, as the plan's dependents would.
      // Those the record lists but the plan leaves out (storage) stay.
      Set<String> recorded = state == null ? Set.of() : Set.copyOf(state.done());
      for (String id : inventory.componentIds()) {
        if (!known.contains(id) && !recorded.contains(id)) {
          order.add(0, leftover(id));
        }
      }
    }
    InstallState current =
        state == null
            ? new InstallState(
                plan.tree().release().tag(),
                plan.tree().release().commit(),
                plan.tree().origin(),
                "uninstalling",
                List.of(),
                "")
            : state;
    for (PlannedComponent c : order) {
      long start = System.nanoTime();
      listener.componentStarted(c.id(), Duration.ZERO);
      // what an earlier release of this component left on the cluster goes with it
      Set<ObjectKey> planned = new HashSet<>();
      String namespace = AppliedInventory.defaultNamespace(client);
      c.objects().forEach(o -> planned.add(AppliedInventory.Entry.of(o, scopes, namespace).key()));
      List<K8sObject> objects = new ArrayList<>(c.objects());
      Set<ObjectKey> leftovers = new HashSet<>();
      for (AppliedInventory.Entry e : inventory.of(c.id())) {
        if (!planned.contains(e.key())) {
          objects.add(e.toObject());
          leftovers.add(e.key());
        }
      }
      Map<Phase, List<K8sObject>> byPhase = ApplyOrder.byPhase(objects, scopes);
      int deleted = 0;
      for (Phase p : ApplyOrder.UNINSTALL) {
        for (K8sObject o : byPhase.getOrDefault(p, List.of())) {
          boolean clusterScoped =
              leftovers.contains(o.key()) ? o.namespace() == null : scopes.isClusterScoped(o);
          if (applier.delete(o, clusterScoped)) {
            deleted++;
          }
        }
        if (p == Phase.NAMESPACES) {
          // what the namespaces held goes with them; the CRDs after, once nothing uses them
          awaitNamespacesGone(c, byPhase.getOrDefault(p, List.of()), waiter, conditions);
        }
      }
      inventory = inventory.without(c.id());
      writeOrDelete(inventory);
      remaining.remove(c.id());
      removed.add(c.id());
      current = current.with("uninstalling", remaining);
      writeOrDelete(current);
      listener.componentDone(
          new InstallReport.ComponentResult(
              c.id(), 0, deleted, 0, Duration.ofNanos(System.nanoTime() - start)),
          Duration.ZERO);
    }
    return removed;
  }

  private void awaitNamespacesGone(
      PlannedComponent c,
      List<K8sObject> namespaces,
      Waiter waiter,
      KubernetesConditions conditions) {
    for (K8sObject ns : namespaces) {
      try {
        waiter.await(conditions.namespaceGone(ns.name()), options.gateTimeout());
      } catch (VerifyException e) {
        throw new InstallException(
            "component " + c.id() + ": " + e.getMessage(),
            "a finalizer holds the namespace: find what is left with 'kubectl api-resources"
                + " --verbs=list --namespaced -o name | xargs -n1 kubectl get -n "
                + ns.name()
                + "', and the controller that should clear it; then rerun",
            e.diagnostics(),
            true,
            e);
      }
    }
  }

  /** A component the plan no longer holds: only what the inventory names of it. */
  private static PlannedComponent leftover(String id) {
    return new PlannedComponent(
        new ComponentSpec(
            id,
            "left by an earlier release",
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            true,
            false),
        0,
        List.of(),
        List.of(),
        new TreeSet<>(),
        new TreeSet<>(),
        ResourceRequests.ZERO,
        List.of());
  }

  private void writeOrDelete(AppliedInventory inventory) {
    options
        .retry()
        .run(
            "record applied objects",
            () -> {
              if (inventory.isEmpty()) {
                AppliedInventory.delete(client);
              } else if (AppliedInventory.read(client).isPresent()) {
                inventory.write(client, RetryPolicy.once(), listener);
              }
              return null;
            },
            listener);
  }

  private void writeOrDelete(InstallState state) {
    options
        .retry()
        .run(
            "record install state",
            () -> {
              if (state.done().isEmpty()) {
                InstallState.delete(client);
              } else {
                client
                    .configMaps()
                    .inNamespace(InstallState.NAMESPACE)
                    .resource(state.toConfigMap())
                    .fieldManager(ObjectApplier.FIELD_MANAGER)
                    .forceConflicts()
                    .serverSideApply();
              }
              return null;
            },
            listener);
  }
}
