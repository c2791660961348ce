package io.kfboot.cli;

import io.kfboot.components.catalog.Gate;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.ResourceRequests;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders an {@link InstallPlan} as text or as the documented JSON (schemaVersion 1, see the
 * docs/install-engine.md, "Plan JSON"). JSON field names and meanings only ever grow.
 */
final class PlanReport {
  static final int SCHEMA_VERSION = 1;

  private PlanReport() {}

  static Map<String, Object> toJson(InstallPlan plan) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schemaVersion", SCHEMA_VERSION);
    root.put("release", plan.tree().release().tag());
    root.put("commit", plan.tree().release().commit());
    root.put("source", plan.tree().origin());
    root.put("vendored", plan.tree().vendored());
    root.put("kustomize", plan.kustomize());
    root.put("waves", plan.waveCount());
    List<Map<String, Object>> components = new ArrayList<>();
    for (PlannedComponent c : plan.components()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", c.id());
      m.put("description", c.spec().description());
      m.put("wave", c.wave());
      m.put("optional", c.spec().optional());
      m.put("dependsOn", c.spec().dependsOn());
      m.put("paths", c.spec().paths());
      m.put("objects", c.objects().size());
      m.put("crds", c.crds());
      m.put("namespaces", List.copyOf(c.namespaces()));
      m.put("images", List.copyOf(c.images()));
      m.put("gates", c.gates().stream().map(PlanReport::gate).toList());
      m.put("checks", c.checks().stream().map(check -> check.description()).toList());
      m.put("requests", requests(c.requests()));
      m.put("k3sAdaptations", c.adaptations());
      components.add(m);
    }
    root.put("components", components);
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("components", plan.components().size());
    totals.put("objects", plan.objectCount());
    totals.put("crds", plan.crdCount());
    totals.put("images", plan.images().size());
    totals.put("requests", requests(plan.requests()));
    root.put("totals", totals);
    root.put("warnings", plan.warnings());
    return root;
  }

  private static Map<String, Object> gate(Gate g) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", g.type().key());
    if (!g.target().isEmpty()) {
      m.put("target", g.target());
    }
    if (!g.before().isEmpty()) {
      m.put("before", g.before());
    }
    return m;
  }

  private static Map<String, Object> requests(ResourceRequests r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpuMillis", r.cpuMillis());
    m.put("memoryMiB", r.memoryMiB());
    return m;
  }

  static String text(InstallPlan plan) {
    StringBuilder sb = new StringBuilder();
    sb.append("kubeflow/manifests ")
        .append(plan.tree().release())
        .append(" from ")
        .append(plan.tree().origin())
        .append(plan.tree().vendored() ? " (vendored)" : "")
        .append('\n')
        .append("rendered by ")
        .append(plan.kustomize())
        .append("\n");
    int wave = -1;
    for (PlannedComponent c : plan.components()) {
      if (c.wave() != wave) {
        wave = c.wave();
        int w = wave;
        sb.append("\nWave ")
            .append(wave + 1)
            .append(": ")
            .append(
                plan.components().stream()
                    .filter(x -> x.wave() == w)
                    .map(PlannedComponent::id)
                    .collect(Collectors.joining(", ")))
            .append('\n');
      }
      sb.append(
          String.format(
              "  %-26s %4d objects, %2d CRDs, %s%s%n",
              c.id(),
              c.objects().size(),
              c.crds().size(),
              requestsText(c.requests()),
              c.spec().optional() ? " (optional)" : ""));
      if (!c.spec().dependsOn().isEmpty()) {
        sb.append("      after: ").append(String.join(", ", c.spec().dependsOn())).append('\n');
      }
      sb.append("      paths: ")
          .append(
              c.spec().paths().isEmpty()
                  ? "(objects made by kfboot)"
                  : String.join(", ", c.spec().paths()))
          .append('\n');
      if (!c.namespaces().isEmpty()) {
        sb.append("      namespaces: ").append(String.join(", ", c.namespaces())).append('\n');
      }
      if (!c.images().isEmpty()) {
        sb.append("      images: ").append(c.images().size()).append('\n');
      }
      for (Gate g : c.gates()) {
        sb.append("      gate: ").append(g.describe()).append('\n');
      }
      c.checks()
          .forEach(check -> sb.append("      check: ").append(check.description()).append('\n'));
      for (String a : c.adaptations()) {
        sb.append("      k3s: ").append(a).append('\n');
      }
    }
    sb.append('\n')
        .append(
            String.format(
                "Totals: %d components in %d waves, %d objects, %d CRDs, %d images, requests %s%n",
                plan.components().size(),
                plan.waveCount(),
                plan.objectCount(),
                plan.crdCount(),
                plan.images().size(),
                requestsText(plan.requests())));
    for (String w : plan.warnings()) {
      sb.append("warning: ").append(w).append('\n');
    }
    return sb.toString();
  }

  private static String requestsText(ResourceRequests r) {
    return String.format("cpu %dm, memory %d MiB", r.cpuMillis(), r.memoryMiB());
  }
}
