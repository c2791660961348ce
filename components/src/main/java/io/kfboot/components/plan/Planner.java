package io.kfboot.components.plan;

import io.kfboot.components.catalog.CatalogException;
import io.kfboot.components.catalog.ComponentGraph;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.Gate;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.components.k3s.K3sAdaptation;
import io.kfboot.manifests.ManifestsException.RemoteBasesException;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.parse.ImageCollector;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.manifests.render.RemoteBase;
import io.kfboot.manifests.render.RemoteBaseScanner;
import io.kfboot.manifests.render.RenderedPath;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.source.ReleaseTree;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Builds an {@link InstallPlan}: selects components, refuses remote bases unless allowed, renders
 * every path once with kustomize, applies the k3s adaptations, and checks the render against the
 * catalog (namespaces, gate targets, CRDs before their custom resources).
 */
public final class Planner {
  private final Renderer renderer;
  private final Progress progress;

  public Planner(Renderer renderer, Progress progress) {
    this.renderer = renderer;
    this.progress = progress;
  }

  /**
   * What to plan.
   *
   * @param components ids asked for; empty means the release's defaults
   * @param without ids to leave out
   * @param allowRemoteBases let kustomize fetch remote bases from the network
   * @param adaptations k3s adaptations to apply after rendering
   */
  public record Request(
      ReleaseTree tree,
      ReleaseCatalog catalog,
      Collection<String> components,
      Collection<String> without,
      boolean allowRemoteBases,
      List<K3sAdaptation> adaptations) {}

  public InstallPlan plan(Request request, String kustomizeDescription) {
    ReleaseCatalog catalog = request.catalog();
    ReleaseTree tree = request.tree();
    List<ComponentSpec> selected =
        ComponentGraph.select(catalog, request.components(), request.without());
    checkPathsExist(tree, selected);
    if (!request.allowRemoteBases()) {
      refuseRemoteBases(tree, selected);
    }
    List<String> paths = selected.stream().flatMap(c -> c.paths().stream()).distinct().toList();
    progress.report(
        "rendering "
            + paths.size()
            + " kustomize paths of "
            + tree.release()
            + " for "
            + selected.size()
            + " components");
    Map<String, RenderedPath> rendered = renderer.renderAll(tree.root(), paths);

    Map<String, Integer> waves = ComponentGraph.waves(selected);
    Map<String, List<K8sObject>> objectsById = new LinkedHashMap<>();
    Map<String, List<String>> adaptedById = new HashMap<>();
    Set<String> usedAdaptations = new HashSet<>();
    Set<String> concernedAdaptations = new HashSet<>();
    for (ComponentSpec c : selected) {
      List<K8sObject> objects = new ArrayList<>();
      List<String> adapted = new ArrayList<>();
      for (String p : c.paths()) {
        for (K8sObject o : rendered.get(p).objects()) {
          for (K3sAdaptation a : request.adaptations()) {
            if (a.concerns(o)) {
              concernedAdaptations.add(a.id());
            }
            if (a.appliesTo(o)) {
              o = a.apply(o);
              adapted.add(a.id() + ": " + o.key());
              usedAdaptations.add(a.id());
            }
          }
          objects.add(o);
        }
      }
      objectsById.put(c.id(), objects);
      adaptedById.put(c.id(), adapted);
    }
    List<K8sObject> all = objectsById.values().stream().flatMap(List::stream).toList();
    Scopes scopes = new Scopes(all);
    List<String> warnings = new ArrayList<>(crdWarnings(selected, objectsById));

    List<PlannedComponent> planned = new ArrayList<>();
    for (ComponentSpec c : selected) {
      List<K8sObject> objects = objectsById.get(c.id());
      SortedSet<String> namespaces = namespacesOf(objects, scopes);
      checkNamespaces(catalog, c, namespaces);
      checkGates(catalog, c, objects);
      planned.add(
          new PlannedComponent(
              c,
              waves.get(c.id()),
              ApplyOrder.sort(objects, scopes),
              objects.stream().filter(K8sObject::isCrd).map(K8sObject::name).toList(),
              namespaces,
              ImageCollector.images(objects),
              ResourceRequests.of(objects),
              adaptedById.get(c.id())));
    }
    checkSidecarOrder(catalog, selected, objectsById);
    planned.sort(Comparator.comparingInt(PlannedComponent::wave));
    for (K3sAdaptation a : request.adaptations()) {
      if (concernedAdaptations.contains(a.id()) && !usedAdaptations.contains(a.id())) {
        warnings.add(
            "k3s adaptation "
                + a.id()
                + " found nothing to change in "
                + a.component()
                + " ("
                + a.description()
                + ")");
      }
    }
    return new InstallPlan(tree, kustomizeDescription, planned, warnings);
  }

  private static void checkPathsExist(ReleaseTree tree, List<ComponentSpec> selected) {
    for (ComponentSpec c : selected) {
      for (String p : c.paths()) {
        if (RemoteBaseScanner.kustomizationFile(tree.root().resolve(p)).isEmpty()) {
          throw new CatalogException(
              "component '"
                  + c.id()
                  + "' path "
                  + p
                  + " has no kustomization in "
                  + tree.release()
                  + " at "
                  + tree.root(),
              Files.isDirectory(tree.root().resolve(p))
                  ? "the release tree is incomplete; extract it again"
                  : "the catalog does not match this tree; check --release or the catalog data"
                      + " file");
        }
      }
    }
  }

  private static void refuseRemoteBases(ReleaseTree tree, List<ComponentSpec> selected) {
    Map<String, List<RemoteBase>> byComponent = new LinkedHashMap<>();
    for (ComponentSpec c : selected) {
      List<RemoteBase> remote = RemoteBaseScanner.scan(tree.root(), c.paths());
      if (!remote.isEmpty()) {
        byComponent.put(c.id(), remote);
      }
    }
    if (byComponent.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder();
    sb.append(tree.release())
        .append(" has remote bases that kustomize would fetch from the network:");
    byComponent.forEach(
        (id, list) -> {
          sb.append("\n  ").append(id).append(':');
          list.forEach(r -> sb.append("\n    ").append(r));
        });
    throw new RemoteBasesException(
        sb.toString(),
        "make an offline bundle with 'kfboot manifests vendor --manifests "
            + tree.release().tag()
            + " --out bundle.tar.gz' and pass --manifests bundle.tar.gz; or leave these components"
            + " out with --without "
            + String.join(",", byComponent.keySet())
            + "; or let kustomize fetch them with --allow-remote-bases");
  }

  private static SortedSet<String> namespacesOf(List<K8sObject> objects, Scopes scopes) {
    SortedSet<String> ns = new TreeSet<>();
    for (K8sObject o : objects) {
      if (o.isNamespace()) {
        ns.add(o.name());
      } else if (o.namespace() != null && !scopes.isClusterScoped(o)) {
        ns.add(o.namespace());
      }
    }
    return ns;
  }

  private static void checkNamespaces(
      ReleaseCatalog catalog, ComponentSpec c, SortedSet<String> rendered) {
    Set<String> declared = new TreeSet<>(c.namespaces());
    if (!declared.isEmpty() && !declared.equals(rendered)) {
      throw new CatalogException(
          "catalog "
              + catalog.release().tag()
              + ": component '"
              + c.id()
              + "' declares namespaces "
              + declared
              + " but renders into "
              + rendered,
          "update the component's namespaces in the catalog data file");
    }
  }

  /**
   * The MutatingWebhookConfiguration that gives pods of injected namespaces their Istio sidecar.
   */
  static final String SIDECAR_INJECTOR = "istio-sidecar-injector";

  private static final Set<String> POD_OWNERS =
      Set.of("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob");

  /**
   * Pods created before Istio's sidecar injector exists run without a sidecar, and stay so: every
   * component with workloads in a namespace labelled {@code istio-injection: enabled} must depend,
   * directly or not, on the component that ships the injector (and so wait for its gates).
   */
  private static void checkSidecarOrder(
      ReleaseCatalog catalog,
      List<ComponentSpec> selected,
      Map<String, List<K8sObject>> objectsById) {
    String injector = null;
    Set<String> injected = new TreeSet<>();
    for (Map.Entry<String, List<K8sObject>> e : objectsById.entrySet()) {
      for (K8sObject o : e.getValue()) {
        if (o.kind().equals("MutatingWebhookConfiguration") && o.name().equals(SIDECAR_INJECTOR)) {
          injector = e.getKey();
        }
        if (o.isNamespace() && "enabled".equals(o.labels().get("istio-injection"))) {
          injected.add(o.name());
        }
      }
    }
    if (injector == null || injected.isEmpty()) {
      return;
    }
    Map<String, ComponentSpec> byId = new HashMap<>();
    selected.forEach(c -> byId.put(c.id(), c));
    List<String> missing = new ArrayList<>();
    for (ComponentSpec c : selected) {
      if (c.id().equals(injector)
          || dependsOn(byId, injector, c.id())
          || dependsOn(byId, c.id(), injector)) {
        continue;
      }
      objectsById.get(c.id()).stream()
          .filter(
              o ->
                  POD_OWNERS.contains(o.kind())
                      && injected.contains(o.namespace())
                      && sidecarInjected(o))
          .findFirst()
          .ifPresent(
              o ->
                  missing.add(
                      c.id() + " (" + o.kind() + " " + o.namespace() + "/" + o.name() + ")"));
    }
    if (!missing.isEmpty()) {
      throw new CatalogException(
          "catalog "
              + catalog.release().tag()
              + ": these components run pods in Istio-injected namespaces"
              + " but do not depend on '"
              + injector
              + "', whose sidecar injector those pods need when they start: "
              + String.join(", ", missing),
          "add " + injector + " to their dependsOn in the catalog data file");
    }
  }

  /** Whether a workload's pods get a sidecar: not when their template opts out. */
  @SuppressWarnings("unchecked")
  private static boolean sidecarInjected(K8sObject workload) {
    Object spec = workload.body().get("spec");
    if (workload.kind().equals("CronJob")
        && spec instanceof Map<?, ?> cron
        && cron.get("jobTemplate") instanceof Map<?, ?> jt) {
      spec = jt.get("spec");
    }
    if (!(spec instanceof Map<?, ?> m)
        || !(m.get("template") instanceof Map<?, ?> template)
        || !(template.get("metadata") instanceof Map<?, ?> meta)) {
      return true;
    }
    for (String field : List.of("annotations", "labels")) {
      if (meta.get(field) instanceof Map<?, ?> values
          && "false"
              .equals(
                  String.valueOf(((Map<String, Object>) values).get("sidecar.istio.io/inject")))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code id} depends on {@code target}, directly or through others. */
  private static boolean dependsOn(Map<String, ComponentSpec> byId, String id, String target) {
    Deque<String> todo = new ArrayDeque<>(List.of(id));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      ComponentSpec c = byId.get(todo.pop());
      if (c == null || !seen.add(c.id())) {
        continue;
      }
      for (String d : c.dependsOn()) {
        if (d.equals(target)) {
          return true;
        }
        todo.push(d);
      }
    }
    return false;
  }

  private static void checkGates(ReleaseCatalog catalog, ComponentSpec c, List<K8sObject> objects) {
    for (Gate g : c.gates()) {
      if (g.type() == Gate.Type.CRDS_ESTABLISHED) {
        if (objects.stream().noneMatch(K8sObject::isCrd)) {
          throw new CatalogException(
              "catalog "
                  + catalog.release().tag()
                  + ": component '"
                  + c.id()
                  + "' gates on crds-established but renders no CRD",
              "drop the gate from the catalog data file");
        }
        continue;
      }
      requireObject(
          catalog, c, objects, g.type().kind(), g.target(), "gate " + g.type().key() + " on");
      for (String b : g.before()) {
        requireObject(catalog, c, objects, null, b, "gate " + g.describe() + " holds back");
      }
    }
  }

  private static void requireObject(
      ReleaseCatalog catalog,
      ComponentSpec c,
      List<K8sObject> objects,
      String kind,
      String target,
      String what) {
    String ns = target.substring(0, target.indexOf('/'));
    String name = target.substring(target.indexOf('/') + 1);
    boolean found =
        objects.stream()
            .anyMatch(
                o ->
                    (kind == null ? isWorkload(o) : o.kind().equals(kind))
                        && ns.equals(o.namespace())
                        && name.equals(o.name()));
    if (!found) {
      throw new CatalogException(
          "catalog "
              + catalog.release().tag()
              + ": component '"
              + c.id()
              + "' "
              + what
              + " "
              + target
              + ", which its render does not contain"
              + (kind == null ? "" : " as a " + kind),
          "fix the gate in the catalog data file");
    }
  }

  private static boolean isWorkload(K8sObject o) {
    return Set.of("Deployment", "StatefulSet", "DaemonSet").contains(o.kind());
  }

  /**
   * Custom resources whose CRD is neither in their component nor in one of its (transitive)
   * dependencies would be applied before their CRD exists.
   */
  private static List<String> crdWarnings(
      List<ComponentSpec> selected, Map<String, List<K8sObject>> objectsById) {
    Map<String, ComponentSpec> byId = new LinkedHashMap<>();
    selected.forEach(c -> byId.put(c.id(), c));
    Map<String, String> crdOwner = new HashMap<>();
    objectsById.forEach(
        (id, objects) ->
            objects.stream()
                .filter(K8sObject::isCrd)
                .forEach(o -> crdOwner.put(o.definedKind(), id)));
    List<String> warnings = new ArrayList<>();
    for (ComponentSpec c : selected) {
      Set<String> reachable = closure(c.id(), byId);
      Set<String> reported = new HashSet<>();
      for (K8sObject o : objectsById.get(c.id())) {
        if (Scopes.isBuiltInGroup(o.group()) || !reported.add(o.kindDotGroup())) {
          continue;
        }
        String owner = crdOwner.get(o.kindDotGroup());
        if (owner == null) {
          warnings.add(
              c.id()
                  + ": "
                  + o.kindDotGroup()
                  + " has no CRD among the selected components; "
                  + o.key()
                  + " will wait for one");
        } else if (!reachable.contains(owner)) {
          warnings.add(
              c.id()
                  + ": "
                  + o.kindDotGroup()
                  + " is defined by '"
                  + owner
                  + "', which it does not depend on");
        }
      }
    }
    return warnings;
  }

  private static Set<String> closure(String id, Map<String, ComponentSpec> byId) {
    Set<String> seen = new LinkedHashSet<>();
    List<String> stack = new ArrayList<>(List.of(id));
    while (!stack.isEmpty()) {
      String cur = stack.remove(stack.size() - 1);
      if (seen.add(cur) && byId.containsKey(cur)) {
        stack.addAll(byId.get(cur).dependsOn());
      }
    }
    return seen;
  }
}
