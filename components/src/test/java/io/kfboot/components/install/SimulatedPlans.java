package io.kfboot.components.install;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.components.k3s.IstioCniK3sPaths;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.Planner;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.source.ReleaseRef;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.manifests.testing.Mirrors;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The real v1.10.2 plan, once per test JVM, and installers tuned for the simulated cluster. */
public final class SimulatedPlans {
  private static InstallPlan v1102;

  private SimulatedPlans() {}

  public static synchronized InstallPlan v1102() {
    if (v1102 == null) {
      v1102 = plan(Fixtures.tree(Fixtures.V1_10_2));
    }
    return v1102;
  }

  private static final Map<String, InstallPlan> PLANS = new ConcurrentHashMap<>();

  /**
   * The default plan of a fixture release, once per test JVM; 26.03 (whose remote bases the fixture
   * mirrors hold) vendored offline first.
   */
  public static InstallPlan of(String tag) {
    if (tag.equals(Fixtures.V1_10_2.tag())) {
      return v1102();
    }
    return PLANS.computeIfAbsent(
        tag,
        t -> {
          ReleaseRef release = Catalogs.shipped().byTag(t).orElseThrow();
          ReleaseTree tree =
              t.equals(Fixtures.V26_03.tag())
                  ? Mirrors.vendored(Fixtures.tree(release), roots(release))
                  : Fixtures.tree(release);
          return plan(tree);
        });
  }

  private static List<String> roots(ReleaseRef release) {
    ReleaseCatalog catalog = Catalogs.shipped().require(release);
    List<String> roots = new ArrayList<>();
    catalog.components().forEach(c -> roots.addAll(c.paths()));
    roots.add(catalog.examplePath());
    return roots;
  }

  private static InstallPlan plan(ReleaseTree tree) {
    Kustomize kustomize = Fixtures.kustomize();
    ReleaseCatalog catalog = Catalogs.shipped().require(tree.release());
    Renderer renderer = new Renderer(kustomize, 2, Duration.ofMinutes(3), Progress.SILENT);
    return new Planner(renderer, Progress.SILENT)
        .plan(
            new Planner.Request(
                tree, catalog, List.of(), List.of(), false, List.of(new IstioCniK3sPaths())),
            kustomize.describe());
  }

  /**
   * Polling every 5 ms instead of watches: with informers open, fabric8's mock server now and then
   * stops answering (seen in whole installs and in cut-off ones). ClusterWatchTest covers watches.
   */
  public static Installer.Options fastOptions() {
    return new Installer.Options(
        4,
        Duration.ofSeconds(20),
        Duration.ofMillis(5),
        new RetryPolicy(6, Duration.ofMillis(5), Duration.ofMillis(50)),
        false);
  }

  public static Installer installer(KubernetesClient client, InstallListener listener) {
    return installer(client, listener, fastOptions());
  }

  static Installer installer(
      KubernetesClient client, InstallListener listener, Installer.Options options) {
    return new Installer(client, options, listener, new ClusterDiagnostics(client));
  }

  /**
   * A cluster's snapshot without what differs between equal installs: controller-made Endpoints,
   * the install record's time and the order its components finished in (parallel installs vary).
   */
  public static Map<String, JsonNode> comparable(Map<String, JsonNode> snapshot) {
    Map<String, JsonNode> out = new TreeMap<>();
    snapshot.forEach(
        (k, v) -> {
          if (k.startsWith("v1 Endpoints ")) {
            return;
          }
          if (k.equals("v1 ConfigMap kube-system/kfboot-install")) {
            ObjectNode record = v.deepCopy();
            ObjectNode data = (ObjectNode) record.get("data");
            data.remove("updated");
            data.put(
                "components",
                String.join(
                    ",", new TreeSet<>(List.of(data.get("components").asText().split(",")))));
            out.put(k, record);
            return;
          }
          out.put(k, v);
        });
    return out;
  }
}
