package io.kfboot.components.install;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.install.InstallReport.ComponentResult;
import io.kfboot.components.plan.ApplyOrder;
import io.kfboot.components.plan.ApplyOrder.Phase;
import io.kfboot.components.plan.ClusterCheck;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Installs a plan on a cluster: every component as soon as the gates of all it depends on hold
 * (bounded parallelism), and inside a component CRDs first (then Established), Namespaces, cluster
 * RBAC and other cluster-scoped objects, namespaced objects (those a {@code before:} gate holds
 * back only once it holds), webhook configurations once their Service has ready endpoints, and
 * custom resources once their CRD is Established. Then the component's gates. Objects already as
 * desired are not written, so a rerun converges from wherever a killed run stopped and changes
 * nothing on an installed cluster. Progress is kept in {@link InstallState}.
 */
public final class Installer {
  /** The phases the install record holds. */
  public static final String PHASE_INSTALLING = "installing";

  public static final String PHASE_INSTALLED = "installed";
  public static final String PHASE_FAILED = "failed";

  /**
   * @param parallelism how many components install at once
   * @param gateTimeout how long one gate or ordering wait may take
   * @param poll the longest pause between two looks at a pending condition
   * @param watch whether watches wake pending conditions as soon as the cluster changes
   */
  public record Options(
      int parallelism, Duration gateTimeout, Duration poll, RetryPolicy retry, boolean watch) {
    public static final Options DEFAULT =
        new Options(16, Duration.ofMinutes(10), Duration.ofSeconds(2), RetryPolicy.DEFAULT, true);

    public Options(int parallelism, Duration gateTimeout, Duration poll, RetryPolicy retry) {
      this(parallelism, gateTimeout, poll, retry, true);
    }

    public Options {
      if (parallelism < 1) {
        throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
      }
    }

    public Options withoutWatch() {
      return new Options(parallelism, gateTimeout, poll, retry, false);
    }
  }

  private final KubernetesClient client;
  private final Options options;
  private final InstallListener listener;
  private final Diagnostics diagnostics;
  private ObjectApplier applier;

  /**
   * Applies the objects of one phase concurrently: API round trips, not gates, are what it saves.
   */
  private ExecutorService applyPool;

  /** Watches that wake gates as soon as the cluster changes; null when they could not start. */
  private ClusterWatch watch;

  static final int APPLY_CONCURRENCY = 8;
  private final KubernetesConditions conditions;

  public Installer(
      KubernetesClient client, Options options, InstallListener listener, Diagnostics diagnostics) {
    this.client = client;
    this.options = options;
    this.listener = listener;
    this.diagnostics = diagnostics;
    this.conditions = new KubernetesConditions(client);
  }

  public InstallReport install(InstallPlan plan) {
    long start = System.nanoTime();
    String release = plan.tree().release().tag();
    String commit = plan.tree().release().commit();
    InstallState state = startState(release, commit, plan.tree().origin(), plan);
    Set<String> doneBefore = Set.copyOf(state.done());
    // a run on a complete install keeps its phase whatever happens: it only ever re-applies
    boolean wasComplete = state.phase().equals(PHASE_INSTALLED);

    List<K8sObject> all = plan.components().stream().flatMap(c -> c.objects().stream()).toList();
    Scopes scopes = new Scopes(all);
    applier = new ObjectApplier(client, options.retry(), listener, ObjectApplier.crdsByKind(all));

    Map<String, PlannedComponent> byId = new HashMap<>();
    plan.components().forEach(c -> byId.put(c.id(), c));
    Set<String> done = new LinkedHashSet<>();
    List<String> doneInOrder =
        new ArrayList<>(state.done().stream().filter(byId::containsKey).toList());
    Set<String> submitted = new HashSet<>();
    List<ComponentResult> results = new ArrayList<>();

    watch = options.watch() ? ClusterWatch.start(client, listener::warning) : null;
    applyPool =
        Executors.newFixedThreadPool(
            APPLY_CONCURRENCY,
            r -> {
              Thread t = new Thread(r, "kfboot-apply");
              t.setDaemon(true);
              return t;
            });
    ExecutorService pool =
        Executors.newFixedThreadPool(
            options.parallelism(),
            r -> {
              Thread t = new Thread(r, "kfboot-install");
              t.setDaemon(true);
              return t;
            });
    CompletionService<ComponentResult> completion = new ExecutorCompletionService<>(pool);
    try {
      int running = submitReady(plan, byId, done, submitted, completion, scopes, start, doneBefore);
      while (running > 0) {
        Future<ComponentResult> finished = completion.take();
        running--;
        ComponentResult result;
        try {
          result = finished.get();
        } catch (ExecutionException e) {
          pool.shutdownNow();
          awaitQuietly(pool);
          writeState(
              wasComplete
                  ? state.withLastRun(PHASE_FAILED)
                  : state.with(PHASE_FAILED, doneInOrder));
          throw unwrap(e.getCause());
        }
        results.add(result);
        done.add(result.id());
        if (!doneInOrder.contains(result.id())) {
          doneInOrder.add(result.id());
        }
        if (!wasComplete) {
          writeState(state.with(PHASE_INSTALLING, doneInOrder));
        }
        listener.componentDone(result, Duration.ofNanos(System.nanoTime() - start));
        running += submitReady(plan, byId, done, submitted, completion, scopes, start, doneBefore);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
      throw new InstallInterruptedException("install interrupted");
    } finally {
      pool.shutdownNow();
      applyPool.shutdownNow();
      if (watch != null) {
        watch.close();
      }
    }
    writeState(state.with(PHASE_INSTALLED, doneInOrder).withLastRun(InstallState.LAST_RUN_OK));
    return new InstallReport(
        release, commit, List.copyOf(results), Duration.ofNanos(System.nanoTime() - start));
  }

  private int submitReady(
      InstallPlan plan,
      Map<String, PlannedComponent> byId,
      Set<String> done,
      Set<String> submitted,
      CompletionService<ComponentResult> completion,
      Scopes scopes,
      long start,
      Set<String> doneBefore) {
    int n = 0;
    for (PlannedComponent c : plan.components()) {
      if (submitted.contains(c.id())) {
        continue;
      }
      boolean ready =
          c.spec().dependsOn().stream().allMatch(d -> done.contains(d) || !byId.containsKey(d));
      if (ready) {
        submitted.add(c.id());
        listener.componentStarted(c.id(), Duration.ofNanos(System.nanoTime() - start));
        completion.submit(() -> installComponent(c, scopes, doneBefore.contains(c.id())));
        n++;
      }
    }
    return n;
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
    Set<String> heldBack = new HashSet<>();
    c.gates().forEach(g -> heldBack.addAll(g.before()));

    Consumer<K8sObject> apply =
        o -> {
          ApplyOutcome outcome = applier.apply(o, scopes.isClusterScoped(o));
          counts.get(outcome).incrementAndGet();
          listener.objectApplied(c.id(), o, outcome);
        };

    List<K8sObject> crds = byPhase.getOrDefault(Phase.CRDS, List.of());
    applyAll(crds, apply);
    for (K8sObject crd : crds) {
      await(c, waiter, conditions.crdEstablished(crd.name()));
    }
    for (Phase p : List.of(Phase.NAMESPACES, Phase.CLUSTER_RBAC, Phase.CLUSTER_SCOPED)) {
      applyAll(byPhase.getOrDefault(p, List.of()), apply);
    }
    List<K8sObject> namespaced = byPhase.getOrDefault(Phase.NAMESPACED, List.of());
    // Service accounts, config and services before the workloads that use them, as kubectl's
    // file order has it: a pod created before its ServiceAccount fails and backs off.
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
    for (K8sObject webhook : byPhase.getOrDefault(Phase.WEBHOOKS, List.of())) {
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
    for (K8sObject cr : byPhase.getOrDefault(Phase.CUSTOM_RESOURCES, List.of())) {
      String crd = applier.crdOf(cr);
      if (crd != null) {
        await(c, waiter, conditions.crdEstablished(crd));
      }
      apply.accept(cr);
    }
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

  /** Applies every object, concurrently; the first failure is thrown once all have ended. */
  private void applyAll(List<K8sObject> objects, Consumer<K8sObject> apply) {
    if (objects.size() <= 1) {
      objects.forEach(apply);
      return;
    }
    List<Future<?>> futures = new ArrayList<>();
    for (K8sObject o : objects) {
      futures.add(applyPool.submit(() -> apply.accept(o)));
    }
    RuntimeException first = null;
    for (Future<?> f : futures) {
      try {
        f.get();
      } catch (ExecutionException e) {
        if (first == null) {
          first = unwrap(e.getCause());
        }
      } catch (InterruptedException e) {
        futures.forEach(x -> x.cancel(true));
        Thread.currentThread().interrupt();
        throw new InstallInterruptedException("interrupted while applying");
      }
    }
    if (first != null) {
      throw first;
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
    // what an earlier install() of this Installer wrote says nothing of the cluster now
    lastWritten = null;
    Optional<InstallState> existing =
        options.retry().run("read install state", () -> InstallState.read(client), listener);
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
        && existing.get().phase().equals(PHASE_INSTALLED)
        && done.containsAll(planned)) {
      // a rerun on a complete install: the record is written again only if something in it changes
      lastWritten = existing.get();
      return existing.get();
    }
    InstallState state =
        new InstallState(
            release, commit, source, PHASE_INSTALLING, done, "", InstallState.LAST_RUN_RUNNING);
    writeState(state);
    return state;
  }

  /** What the record last held, so that a state already there is not written again. */
  private volatile InstallState lastWritten;

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

  private static RuntimeException unwrap(Throwable t) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(t);
  }

  private static void awaitQuietly(ExecutorService pool) {
    try {
      pool.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
