package io.kfboot.components.install;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.testing.SimulatedCluster;
import io.kfboot.verify.wait.ClusterWatch;
import io.kfboot.verify.wait.KubernetesConditions;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code bench/run install}: on the simulated cluster with the same latencies, in one run, (1)
 * kfboot's schedule, (2) upstream's README order run one component at a time (apply it, wait for
 * all its workloads, next), (3) the critical-path lower bound computed from the latencies alone,
 * and (4) kfboot rerun on the installed cluster. Not a test: it prints ratios, it asserts nothing.
 */
public final class InstallBenchmark {
  /**
   * Controller latencies, a few times shorter than a real cluster's (where pulling images makes a
   * Deployment take 20 s to minutes) so that the run stays short, yet long enough that the mock's
   * own cost per request (about 0.1 s for each large CRD on 2 cores) stays small beside them.
   */
  public static final SimulatedCluster.Latencies LATENCIES =
      new SimulatedCluster.Latencies(
          Duration.ofMillis(1000),
          Duration.ofMillis(6000),
          Duration.ofMillis(8000),
          Duration.ofMillis(4000),
          Map.of(
              "kubeflow/mysql", Duration.ofMillis(10000),
              "kubeflow/katib-mysql", Duration.ofMillis(10000),
              "istio-system/istiod", Duration.ofMillis(8000),
              "cert-manager/cert-manager-webhook", Duration.ofMillis(8000)));

  /** What kfboot uses by default: watches wake the waits, the poll is only a fallback. */
  public static final Duration POLL = Installer.Options.DEFAULT.poll();

  public static void main(String[] args) throws Exception {
    InstallPlan plan = SimulatedPlans.v1102();
    Installer.Options options =
        new Installer.Options(
            Integer.getInteger("kfboot.parallelism", Installer.Options.DEFAULT.parallelism()),
            Duration.ofMinutes(2),
            POLL,
            RetryPolicy.DEFAULT,
            !Boolean.getBoolean("kfboot.bench.noWatch"));

    double bound = criticalPath(plan) / 1000.0;
    System.out.printf("critical-path lower bound: %.1fs%n", bound);

    double kfboot;
    double rerun;
    try (SimulatedCluster cluster = SimulatedCluster.start(LATENCIES);
        KubernetesClient client = cluster.newClient()) {
      long t0 = System.nanoTime();
      InstallListener trace =
          !Boolean.getBoolean("kfboot.bench.trace")
              ? InstallListener.NONE
              : new InstallListener() {
                @Override
                public void componentStarted(String component, Duration elapsed) {
                  System.out.printf(
                      "  %6.2fs start %s (bound start %.2fs)%n",
                      (System.nanoTime() - t0) / 1e9,
                      component,
                      boundStart.get(component) / 1000.0);
                }

                @Override
                public void componentDone(InstallReport.ComponentResult r, Duration elapsed) {
                  System.out.printf(
                      "  %6.2fs done  %s after %.2fs (bound own %.2fs)%n",
                      (System.nanoTime() - t0) / 1e9,
                      r.id(),
                      r.elapsed().toMillis() / 1000.0,
                      boundOwn.get(r.id()) / 1000.0);
                }
              };
      new Installer(client, options, trace, new ClusterDiagnostics(client)).install(plan);
      kfboot = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "kfboot install: %.1fs (%d components, %d objects)%n",
          kfboot, plan.components().size(), plan.objectCount());
      long t1 = System.nanoTime();
      InstallReport again =
          new Installer(client, options, InstallListener.NONE, new ClusterDiagnostics(client))
              .install(plan);
      rerun = (System.nanoTime() - t1) / 1e9;
      System.out.printf(
          "kfboot rerun on the installed cluster: %.1fs, %d changes%n", rerun, again.changes());
    }

    double sequential;
    try (SimulatedCluster cluster = SimulatedCluster.start(LATENCIES);
        KubernetesClient client = cluster.newClient()) {
      long t0 = System.nanoTime();
      sequentialReadmeOrder(plan, client, options);
      sequential = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "sequential, README order, waiting for every workload: %.1fs%n", sequential);
    }
    System.out.printf("goal: vs_bound <= 1.10, vs_sequential <= 0.5, rerun <= 0.15%n");
    System.out.printf(
        "install: vs_bound=%.2f vs_sequential=%.2f rerun=%.2f%n",
        kfboot / bound, kfboot / sequential, rerun / kfboot);
  }

  /**
   * One component at a time in the catalog's (the upstream README's) order: apply, wait for all its
   * pods, next.
   */
  static void sequentialReadmeOrder(
      InstallPlan plan, KubernetesClient client, Installer.Options options) {
    Map<String, PlannedComponent> byId = new HashMap<>();
    plan.components().forEach(c -> byId.put(c.id(), c));
    KubernetesConditions conditions = new KubernetesConditions(client);
    // the same watch-woken waits as kfboot, so that the baseline is not slowed by polling
    ClusterWatch watch = options.watch() ? ClusterWatch.start(client, w -> {}) : null;
    Waiter waiter =
        new Waiter(
            options.poll(),
            new ClusterDiagnostics(client),
            Waiter.Listener.NONE,
            Waiter.Clock.SYSTEM,
            watch == null ? null : watch.signal());
    List<ComponentSpec> readmeOrder =
        Catalogs.shipped().require(plan.tree().release()).components();
    Installer.Options oneAtATime =
        new Installer.Options(1, options.gateTimeout(), options.poll(), options.retry());
    for (ComponentSpec spec : readmeOrder) {
      PlannedComponent c = byId.get(spec.id());
      if (c == null) {
        continue;
      }
      // Only this component's objects, applied in kfboot's safe order (upstream's loop gets there
      // by
      // retrying the whole apply); then every workload, not just the gates.
      PlannedComponent noGates =
          new PlannedComponent(
              new ComponentSpec(
                  spec.id(),
                  spec.description(),
                  spec.paths(),
                  spec.namespaces(),
                  List.of(),
                  spec.gates().stream()
                      .filter(g -> !g.before().isEmpty() || g.type() == Gate.Type.CRDS_ESTABLISHED)
                      .toList(),
                  spec.optional(),
                  spec.defaultEnabled()),
              c.wave(),
              c.objects(),
              c.crds(),
              c.namespaces(),
              c.images(),
              c.requests(),
              c.adaptations());
      new Installer(client, oneAtATime, InstallListener.NONE, new ClusterDiagnostics(client))
          .install(new InstallPlan(plan.tree(), plan.kustomize(), List.of(noGates), List.of()));
      for (K8sObject o : c.objects()) {
        switch (o.kind()) {
          case "Deployment" ->
              waiter.await(
                  conditions.deploymentAvailable(o.namespace(), o.name()), options.gateTimeout());
          case "StatefulSet" ->
              waiter.await(
                  conditions.statefulSetReady(o.namespace(), o.name()), options.gateTimeout());
          case "DaemonSet" ->
              waiter.await(
                  conditions.daemonSetReady(o.namespace(), o.name()), options.gateTimeout());
          default -> {}
        }
      }
    }
    if (watch != null) {
      watch.close();
    }
  }

  private static final Map<String, Long> boundStart = new HashMap<>();
  private static final Map<String, Long> boundOwn = new HashMap<>();

  /**
   * Milliseconds of the longest chain of controller latencies the dependency graph and gates force.
   */
  static long criticalPath(InstallPlan plan) {
    Map<String, Long> finish = new HashMap<>();
    for (PlannedComponent c : plan.components()) { // plan order: dependencies first
      long start =
          c.spec().dependsOn().stream().mapToLong(d -> finish.getOrDefault(d, 0L)).max().orElse(0);
      finish.put(c.id(), start + own(c));
      boundStart.put(c.id(), start);
      boundOwn.put(c.id(), own(c));
    }
    return finish.values().stream().mapToLong(Long::longValue).max().orElse(0);
  }

  private static long own(PlannedComponent c) {
    long crd = c.crds().isEmpty() ? 0 : LATENCIES.crd().toMillis();
    long longest = 0;
    for (Gate g : c.gates()) {
      switch (g.type()) {
        case CRDS_ESTABLISHED -> {}
        case SERVICE_ENDPOINTS ->
            longest = Math.max(longest, serviceLatency(c, g.namespace(), g.name()));
        default -> {
          long chain = workloadLatency(c, g.namespace(), g.name());
          for (String held : g.before()) {
            String[] nsName = held.split("/");
            chain =
                Math.max(
                    chain,
                    workloadLatency(c, g.namespace(), g.name())
                        + workloadLatency(c, nsName[0], nsName[1]));
          }
          longest = Math.max(longest, chain);
        }
      }
    }
    for (K8sObject o : c.objects()) {
      for (String svc : o.webhookServices()) {
        String[] nsName = svc.split("/");
        longest = Math.max(longest, serviceLatency(c, nsName[0], nsName[1]));
      }
    }
    return crd + longest;
  }

  private static long workloadLatency(PlannedComponent c, String ns, String name) {
    for (K8sObject o : c.objects()) {
      if (Set.of("Deployment", "StatefulSet", "DaemonSet").contains(o.kind())
          && ns.equals(o.namespace())
          && name.equals(o.name())) {
        Duration override = LATENCIES.perWorkload().get(ns + "/" + name);
        if (override != null) {
          return override.toMillis();
        }
        return switch (o.kind()) {
          case "Deployment" -> LATENCIES.deployment().toMillis();
          case "StatefulSet" -> LATENCIES.statefulSet().toMillis();
          default -> LATENCIES.daemonSet().toMillis();
        };
      }
    }
    return 0;
  }

  @SuppressWarnings("unchecked")
  private static long serviceLatency(PlannedComponent c, String ns, String name) {
    Map<String, Object> selector = null;
    for (K8sObject o : c.objects()) {
      if (o.kind().equals("Service") && ns.equals(o.namespace()) && name.equals(o.name())) {
        selector =
            (Map<String, Object>)
                ((Map<String, Object>) o.body().getOrDefault("spec", Map.of())).get("selector");
      }
    }
    if (selector == null) {
      return 0;
    }
    // the simulated endpoints controller fills a Service as soon as one matching workload is ready
    long earliest = Long.MAX_VALUE;
    for (K8sObject o : c.objects()) {
      if (Set.of("Deployment", "StatefulSet", "DaemonSet").contains(o.kind())
          && ns.equals(o.namespace())) {
        Map<String, Object> spec = (Map<String, Object>) o.body().getOrDefault("spec", Map.of());
        Map<String, Object> template =
            (Map<String, Object>) spec.getOrDefault("template", Map.of());
        Map<String, Object> meta =
            (Map<String, Object>) template.getOrDefault("metadata", Map.of());
        Map<String, Object> labels = (Map<String, Object>) meta.getOrDefault("labels", Map.of());
        if (labels.entrySet().containsAll(selector.entrySet())) {
          earliest = Math.min(earliest, workloadLatency(c, ns, o.name()));
        }
      }
    }
    return earliest == Long.MAX_VALUE ? 0 : earliest;
  }
}
