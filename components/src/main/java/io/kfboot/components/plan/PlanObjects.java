package io.kfboot.components.plan;

import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.manifests.parse.K8sObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A plan's objects by component, for a patch that replaces or adds objects one at a time and then
 * makes the patched plan; the plan it was made from is left as it was.
 */
public final class PlanObjects {
  private final InstallPlan plan;
  private final Map<String, List<K8sObject>> byComponent = new LinkedHashMap<>();
  private final Map<String, List<String>> adaptations = new LinkedHashMap<>();
  private final Map<String, ComponentSpec> specs = new LinkedHashMap<>();
  private final List<String> warnings;

  public PlanObjects(InstallPlan plan) {
    this.plan = plan;
    for (PlannedComponent c : plan.components()) {
      byComponent.put(c.id(), new ArrayList<>(c.objects()));
      adaptations.put(c.id(), new ArrayList<>(c.adaptations()));
      specs.put(c.id(), c.spec());
    }
    warnings = new ArrayList<>(plan.warnings());
  }

  /** The object of that kind, namespace and name, or null. */
  public K8sObject find(String kind, String ns, String name) {
    for (List<K8sObject> list : byComponent.values()) {
      for (K8sObject o : list) {
        if (o.kind().equals(kind) && ns.equals(o.namespace()) && o.name().equals(name)) {
          return o;
        }
      }
    }
    return null;
  }

  /** Every object, in component order. */
  public List<K8sObject> all() {
    List<K8sObject> out = new ArrayList<>();
    byComponent.values().forEach(out::addAll);
    return out;
  }

  public boolean hasComponent(String id) {
    return byComponent.containsKey(id);
  }

  public String componentOf(K8sObject o) {
    for (Map.Entry<String, List<K8sObject>> e : byComponent.entrySet()) {
      if (e.getValue().contains(o)) {
        return e.getKey();
      }
    }
    throw new IllegalStateException(o + " is in no component");
  }

  public void replace(K8sObject old, K8sObject replacement) {
    for (List<K8sObject> list : byComponent.values()) {
      int i = list.indexOf(old);
      if (i >= 0) {
        list.set(i, replacement);
        return;
      }
    }
    throw new IllegalStateException(old + " is in no component");
  }

  /** Takes the object out of the plan (an in-cluster store replaced by an external one). */
  public void remove(K8sObject o) {
    for (List<K8sObject> list : byComponent.values()) {
      if (list.remove(o)) {
        return;
      }
    }
    throw new IllegalStateException(o + " is in no component");
  }

  /**
   * Takes the gates on {@code target} ("namespace/name") out of the component: the object they
   * await is no longer planned.
   */
  public void removeGatesOn(String component, String target) {
    ComponentSpec s = specs.get(component);
    List<Gate> kept = s.gates().stream().filter(g -> !target.equals(g.target())).toList();
    specs.put(
        component,
        new ComponentSpec(
            s.id(),
            s.description(),
            s.paths(),
            s.namespaces(),
            s.dependsOn(),
            kept,
            s.optional(),
            s.defaultEnabled()));
  }

  public void add(String component, K8sObject o) {
    byComponent.get(component).add(o);
  }

  /**
   * Records that an adaptation changed or added an object of the component, as the plan lists them:
   * "adaptation-id: Kind ns/name".
   */
  public void adapted(String component, String adaptation, K8sObject o) {
    adaptations.get(component).add(entry(adaptation, o));
  }

  /** {@link #adapted(String, String, K8sObject)} with the reason, shown after the object. */
  public void adapted(String component, String adaptation, K8sObject o, String reason) {
    adaptations.get(component).add(entry(adaptation, o) + " (" + reason + ")");
  }

  private static String entry(String adaptation, K8sObject o) {
    return adaptation + ": " + o.kind() + " " + o.namespace() + "/" + o.name();
  }

  public void warn(String warning) {
    warnings.add(warning);
  }

  /** The patched plan. */
  public InstallPlan plan() {
    List<PlannedComponent> components = new ArrayList<>();
    for (PlannedComponent c : plan.components()) {
      components.add(
          c.withObjects(List.copyOf(byComponent.get(c.id())))
              .withAdaptations(List.copyOf(adaptations.get(c.id())))
              .withSpec(specs.get(c.id())));
    }
    return new InstallPlan(plan.tree(), plan.kustomize(), components, warnings);
  }
}
