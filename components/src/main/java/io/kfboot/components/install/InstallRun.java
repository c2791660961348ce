package io.kfboot.components.install;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.install.InstallReport.ComponentResult;
import io.kfboot.components.plan.ApplyOrder;
import io.kfboot.components.plan.ApplyOrder.Phase;
import io.kfboot.components.plan.ClusterCheck;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.core.DagExecutor;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.diagnostics.Diagnostics;
import io.kfboot.verify.wait.ClusterWatch;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.KubernetesConditions;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One install of a plan: what it has learnt and holds while it runs (the install record as last
 * written, the applier, the watches, the pools), so that the {@link Installer} that made it keeps
 * only configuration and can be used again, even at once from several threads.
 */
final class InstallRun {
  static final int APPLY_CONCURRENCY = 8;

  private final KubernetesClient client;
  private final Installer.Options options;
  private final InstallListener listener;
  private final Diagnostics diagnostics;
  private final KubernetesConditions conditions;
  private final DagExecutor applyAll =
      new DagExecutor("kfboot-apply", APPLY_CONCURRENCY, DagExecutor.OnFailure.FINISH_RUNNING);
  private ObjectApplier applier;

  /** Watches that wake gates as soon as the cluster changes; null when they could not start. */
  private ClusterWatch watch;

  /** What the record last held, so that a state already there is not written again. */
  private InstallState lastWritten;

  /** The release an upgrade moves from; null for an install. */
  private final String upgradingFrom;

  InstallRun(
      KubernetesClient client,
      Installer.Options options,
      InstallListener listener,
      Diagnostics diagnostics,
      String upgradingFrom) {
    this.upgradingFrom = upgradingFrom;
    this.client = client;
    this.options = options;
    this.listener = listener;
    this.diagnostics = diagnostics;
    this.conditions = new KubernetesConditions(client);
  }

  InstallReport install(InstallPlan plan) {
    long start = System.nanoTime();
    String release = plan.tree().release().tag();
    String commit = plan.tree().release().commit();
    InstallState state = startState(release, commit, plan.tree().origin(), plan);
    Set<String> doneBefore = Set.copyOf(state.done());
    // a run on a complete install keeps its phase whatever happens: it only ever re-applies
    boolean wasComplete = state.phase().equals(Installer.PHASE_INSTALLED);

    recordApplied(plan);
    List<K8sObject> all = plan.components().stream().flatMap(c -> c.objects().stream()).toList();
    Scopes scopes = new Scopes(all);
    applier = new ObjectApplier(client, options.retry(), listener, ObjectApplier.crdsByKind(all));
    Set<String> planned = new HashSet<>();
    plan.components().forEach(c -> planned.add(c.id()));
    List<String> doneInOrder =
        new ArrayList<>(state.done().stream().filter(planned::contains).toList());
    List<ComponentResult> results = new ArrayList<>();
    List<DagExecutor.Task<ComponentResult>> tasks =
        plan.components().stream()
            .map(
                c ->
                    new DagExecutor.Task<>(
                        c.id(),
                        Set.copyOf(c.spec().dependsOn()),
                        () -> installComponent(c, scopes, doneBefore.contains(c.id()))))
            .toList();
    watch = options.watch() ? ClusterWatch.start(client, listener::warning) : null;
    try {
      new DagExecutor("kfboot-install", options.parallelism(), DagExecutor.OnFailure.CANCEL_RUNNING)
          .run(
              tasks,
              new DagExecutor.Listener<>() {
                @Override
                public void started(String id) {
                  listener.componentStarted(id, Duration.ofNanos(System.nanoTime() - start));
                }

                @Override
                public void finished(String id, ComponentResult result) {
                  results.add(result);
                  if (!doneInOrder.contains(id)) {
                    doneInOrder.add(id);
                  }
                  if (!wasComplete) {
                    writeState(state.with(Installer.PHASE_INSTALLING, doneInOrder));
                  }
                  listener.componentDone(result, Duration.ofNanos(System.nanoTime() - start));
                }
              });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InstallInterruptedException("install interrupted");
    } catch (InstallInterruptedException e) {
      throw e;
    } catch (RuntimeException e) {
      writeState(
          wasComplete
              ? state.withLastRun(Installer.PHASE_FAILED)
              : state.with(Installer.PHASE_FAILED, doneInOrder));
      throw e;
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
    writeState(
        state.with(Installer.PHASE_INSTALLED, doneInOrder).withLastRun(InstallState.LAST_RUN_OK));
    return new InstallReport(
        release, commit, List.copyOf(results), Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * @param doneBefore whether an earlier run finished this component: then its checks (the storage
   *     probe, the GPU count) run only if this run changed one of its objects
   */
  private ComponentResult installComponent(PlannedComponent c, Scopes scopes, boolean doneBefore) {
    long start = System.nanoTime();
    Waiter waiter =
        new Waiter(
            options.poll(),
            diagnostics,
            (cond, r, elapsed) -> listener.waiting(c.id(), cond, r, elapsed),
            Waiter.Clock.SYSTEM,
            watch == null ? null : watch.signal());
    Map<ApplyOutcome, AtomicInteger> counts = new EnumMap<>(ApplyOutcome.class);
    for (ApplyOutcome o : ApplyOutcome.values()) {
      counts.put(o, new AtomicInteger());
    }
    Map<Phase, List<K8sObject>> byPhase = ApplyOrder.byPhase(c.objects(), scopes);
    Consumer<K8sObject> apply =
        o -> {
          ApplyOutcome outcome = applier.apply(o, scopes.isClusterScoped(o), c.id());
          counts.get(outcome).incrementAndGet();
          listener.objectApplied(c.id(), o, outcome);
        };

    for (Phase p : ApplyOrder.INSTALL) {
      List<K8sObject> objects = byPhase.getOrDefault(p, List.of());
      switch (p) {
        case CRDS -> {
          applyAll(objects, apply);
          for (K8sObject crd : objects) {
            await(c, waiter, conditions.crdEstablished(crd.name()));
          }
        }
        case NAMESPACES, CLUSTER_RBAC, CLUSTER_SCOPED -> applyAll(objects, apply);
        case NAMESPACED -> applyNamespaced(c, objects, waiter, apply);
        case WEBHOOKS -> {
          for (K8sObject webhook : objects) {
            // A webhook registered before its backend answers fails every request it intercepts.
            for (String svc : webhook.webhookServices()) {
              await(
                  c,
                  waiter,
                  conditions.serviceHasEndpoints(
                      svc.substring(0, svc.indexOf('/')), svc.substring(svc.indexOf('/') + 1)));
            }
            apply.accept(webhook);
          }
        }
        case CUSTOM_RESOURCES -> {
          for (K8sObject cr : objects) {
            String crd = applier.crdOf(cr);
            if (crd != null) {
              await(c, waiter, conditions.crdEstablished(crd));
            }
            apply.accept(cr);
          }
        }
      }
    }
    List<K8sObject> crds = byPhase.getOrDefault(Phase.CRDS, List.of());
    for (Gate g : c.gates()) {
      if (!g.before().isEmpty()) {
        continue;
      }
      if (g.type() == Gate.Type.CRDS_ESTABLISHED) {
        for (K8sObject crd : crds) {
          await(c, waiter, conditions.crdEstablished(crd.name()));
        }
      } else {
        await(c, waiter, condition(g, c));
      }
    }
    boolean changed =
        counts.get(ApplyOutcome.CREATED).get() + counts.get(ApplyOutcome.CONFIGURED).get() > 0;
    for (ClusterCheck check : doneBefore && !changed ? List.<ClusterCheck>of() : c.checks()) {
      Condition condition;
      try {
        condition =
            options
                .retry()
                .run(c.id() + ": " + check.description(), () -> check.start(client), listener);
      } catch (VerifyException e) {
        throw failure(c, e);
      }
      try {
        await(c, waiter, condition);
      } finally {
        options
            .retry()
            .run(
                c.id() + ": clean up after " + check.description(),
                () -> {
                  check.finish(client);
                  return null;
                },
                listener);
      }
    }
    return new ComponentResult(
        c.id(),
        counts.get(ApplyOutcome.CREATED).get(),
        counts.get(ApplyOutcome.CONFIGURED).get(),
        counts.get(ApplyOutcome.UNCHANGED).get(),
        Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * Service accounts, config and services before the workloads that use them, as kubectl's file
   * order has it (a pod created before its ServiceAccount fails and backs off); workloads a {@code
   * before:} gate holds back once that gate holds.
   */
  private void applyNamespaced(
      PlannedComponent c, List<K8sObject> namespaced, Waiter waiter, Consumer<K8sObject> apply) {
    Set<String> heldBack = new HashSet<>();
    c.gates().forEach(g -> heldBack.addAll(g.before()));
    applyAll(namespaced.stream().filter(o -> !isWorkload(o)).toList(), apply);
    applyAll(
        namespaced.stream().filter(o -> isWorkload(o) && !isHeldBack(o, heldBack)).toList(), apply);
    for (Gate g : c.gates()) {
      if (g.before().isEmpty()) {
        continue;
      }
      await(c, waiter, condition(g, c));
      namespaced.stream()
          .filter(o -> g.before().contains(o.namespace() + "/" + o.name()) && isWorkload(o))
          .forEach(apply);
    }
  }

  /**
   * Applies every object, concurrently: API round trips, not gates, are what it saves. The first
   * failure is thrown once the applies under way have ended.
   */
  private void applyAll(List<K8sObject> objects, Consumer<K8sObject> apply) {
    if (objects.size() <= 1) {
      objects.forEach(apply);
      return;
    }
    try {
      applyAll.forEach(
          objects,
          o -> {
            apply.accept(o);
            return Boolean.TRUE;
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InstallInterruptedException("interrupted while applying");
    }
  }

  private static boolean isHeldBack(K8sObject o, Set<String> heldBack) {
    return isWorkload(o) && heldBack.contains(o.namespace() + "/" + o.name());
  }

  private static boolean isWorkload(K8sObject o) {
    return Set.of("Deployment", "StatefulSet", "DaemonSet").contains(o.kind())
        && o.group().equals("apps");
  }

  private Condition condition(Gate g, PlannedComponent c) {
    return switch (g.type()) {
      case DEPLOYMENT_AVAILABLE -> conditions.deploymentAvailable(g.namespace(), g.name());
      case STATEFULSET_READY -> conditions.statefulSetReady(g.namespace(), g.name());
      case DAEMONSET_READY -> conditions.daemonSetReady(g.namespace(), g.name());
      case SERVICE_ENDPOINTS -> conditions.serviceHasEndpoints(g.namespace(), g.name());
      case CRDS_ESTABLISHED ->
          throw new IllegalStateException(
              "crds-established of " + c.id() + " has no single condition");
    };
  }

  private void await(PlannedComponent c, Waiter waiter, Condition condition) {
    listener.waitStarted(c.id(), condition);
    try {
      waiter.await(condition, options.gateTimeout());
    } catch (VerifyException e) {
      throw failure(c, e);
    } catch (Waiter.WaitInterruptedException e) {
      throw new InstallInterruptedException(c.id() + ": " + e.getMessage());
    }
  }

  /** A component that did not become ready: what was seen, the fix, and that a rerun resumes. */
  private static InstallException failure(PlannedComponent c, VerifyException e) {
    return new InstallException(
        "component " + c.id() + ": " + e.getMessage(),
        e.fix() + "; then rerun the install, it resumes",
        e.diagnostics(),
        true,
        e);
  }

  private InstallState startState(String release, String commit, String source, InstallPlan plan) {
    Optional<InstallState> existing =
        options.retry().run("read install state", () -> InstallState.read(client), listener);
    boolean upgrade =
        existing.isPresent()
            && upgradingFrom != null
            && existing.get().release().equals(upgradingFrom);
    if (upgrade) {
      // what was done under the old release is not done under the new one
      existing = Optional.empty();
    }
    if (existing.isPresent()
        && !existing.get().release().isEmpty()
        && !existing.get().release().equals(release)) {
      InstallState s = existing.get();
      throw new InstallException(
          "the cluster holds kubeflow/manifests "
              + s.release()
              + " ("
              + s.phase()
              + ") installed by kfboot; this run is "
              + release,
          "install "
              + s.release()
              + " with --manifests "
              + s.release()
              + ", or remove it first with 'kfboot uninstall'",
          "",
          true,
          null);
    }
    List<String> done = existing.map(InstallState::done).orElse(List.of());
    Set<String> planned =
        new HashSet<>(plan.components().stream().map(PlannedComponent::id).toList());
    if (existing.isPresent()
        && existing.get().phase().equals(Installer.PHASE_INSTALLED)
        && done.containsAll(planned)) {
      // a rerun on a complete install: the record is written again only if something in it changes
      lastWritten = existing.get();
      return existing.get();
    }
    InstallState state =
        new InstallState(
            release,
            commit,
            source,
            Installer.PHASE_INSTALLING,
            done,
            "",
            InstallState.LAST_RUN_RUNNING);
    writeState(state);
    return state;
  }

  /**
   * Records every object of the plan before any is sent, so that what kfboot put on the cluster is
   * always known, even after a kill mid-apply; a rerun that adds nothing writes nothing.
   */
  private void recordApplied(InstallPlan plan) {
    AppliedInventory existing =
        options
            .retry()
            .run("read applied objects", () -> AppliedInventory.read(client), listener)
            .orElse(AppliedInventory.empty());
    AppliedInventory wanted = existing.plus(plan, AppliedInventory.defaultNamespace(client));
    if (!existing.covers(wanted)) {
      wanted.write(client, options.retry(), listener);
    }
  }

  private synchronized void writeState(InstallState state) {
    if (lastWritten != null && lastWritten.sameAs(state)) {
      return;
    }
    InstallState stamped = state.stamped();
    options
        .retry()
        .run(
            "record install state",
            () ->
                client
                    .configMaps()
                    .inNamespace(InstallState.NAMESPACE)
                    .resource(stamped.toConfigMap())
                    .fieldManager(ObjectApplier.FIELD_MANAGER)
                    .forceConflicts()
                    .serverSideApply(),
            listener);
    lastWritten = stamped;
  }
}
