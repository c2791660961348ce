package io.kfboot.components.install;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ObjectKey;
import io.kfboot.manifests.parse.Scopes;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Every object kfboot applied, per component, kept in the ConfigMap {@value #NAMESPACE}/{@value
 * #NAME}: the parent of kfboot's objects, as an ApplySet parent is for kubectl (KEP-3659). It is
 * written before the objects it names, so that it always holds at least what is on the cluster; an
 * upgrade prunes from it, never from labels (upstream's renders carry no common label, and 124 of
 * 26.03's 675 objects have none at all).
 *
 * <p>Objects an upgrade keeps rather than prunes (CRDs with custom resources, PVCs) stay in it, so
 * that an uninstall after the upgrade still removes them and nothing else.
 *
 * @param components entries per component id
 */
public record AppliedInventory(SortedMap<String, SortedSet<Entry>> components) {
  public static final String NAMESPACE = InstallState.NAMESPACE;
  public static final String NAME = "kfboot-inventory";

  public AppliedInventory {
    SortedMap<String, SortedSet<Entry>> copy = new TreeMap<>();
    components.forEach((id, entries) -> copy.put(id, new TreeSet<>(entries)));
    components = copy;
  }

  /**
   * One applied object, with the API version it was sent as, so that it can be addressed (and
   * deleted) again without its release's render.
   *
   * @param namespace empty for cluster-scoped objects
   */
  public record Entry(String apiVersion, String kind, String namespace, String name)
      implements Comparable<Entry> {
    private static final Comparator<Entry> ORDER =
        Comparator.comparing(Entry::key).thenComparing(Entry::apiVersion);

    public Entry {
      namespace = namespace == null ? "" : namespace;
    }

    /** The entry of an object as it is applied (see {@link #plus}). */
    public static Entry of(K8sObject o, Scopes scopes, String defaultNamespace) {
      String namespace =
          scopes.isClusterScoped(o) ? "" : o.namespace() == null ? defaultNamespace : o.namespace();
      return new Entry(o.apiVersion(), o.kind(), namespace, o.name());
    }

    public ObjectKey key() {
      int slash = apiVersion.indexOf('/');
      return new ObjectKey(slash < 0 ? "" : apiVersion.substring(0, slash), kind, namespace, name);
    }

    /** The least body that addresses the object: enough to read or delete it. */
    public K8sObject toObject() {
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("name", name);
      if (!namespace.isEmpty()) {
        meta.put("namespace", namespace);
      }
      return K8sObject.of(K8sObject.map("apiVersion", apiVersion, "kind", kind, "metadata", meta));
    }

    String line() {
      return apiVersion + " " + kind + " " + (namespace.isEmpty() ? "-" : namespace) + " " + name;
    }

    static Entry parse(String line) {
      String[] f = line.trim().split(" ");
      if (f.length != 4) {
        throw new IllegalArgumentException("not an inventory line: " + line);
      }
      return new Entry(f[0], f[1], f[2].equals("-") ? "" : f[2], f[3]);
    }

    @Override
    public int compareTo(Entry o) {
      return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
      return key().toString();
    }
  }

  public static AppliedInventory empty() {
    return new AppliedInventory(new TreeMap<>());
  }

  /**
   * What a plan applies: the inventory of a cluster installed before kfboot kept one (adoption).
   */
  public static AppliedInventory of(InstallPlan plan) {
    return empty().plus(plan, DEFAULT_NAMESPACE);
  }

  /** Where a namespaced object without a namespace goes, as kubectl has it. */
  public static final String DEFAULT_NAMESPACE = "default";

  /**
   * Where the engine applies a namespaced object without a namespace, as kubectl does: the
   * kubeconfig context's namespace, else {@value #DEFAULT_NAMESPACE}.
   */
  public static String defaultNamespace(KubernetesClient client) {
    return client.getNamespace() == null ? DEFAULT_NAMESPACE : client.getNamespace();
  }

  /**
   * This inventory and every object of {@code plan}, component by component.
   *
   * @param defaultNamespace where namespaced objects without a namespace are applied (the
   *     kubeconfig context's namespace)
   */
  public AppliedInventory plus(InstallPlan plan, String defaultNamespace) {
    Scopes scopes =
        new Scopes(plan.components().stream().flatMap(c -> c.objects().stream()).toList());
    SortedMap<String, SortedSet<Entry>> out = new TreeMap<>(components);
    for (PlannedComponent c : plan.components()) {
      SortedSet<Entry> entries = new TreeSet<>(out.getOrDefault(c.id(), new TreeSet<>()));
      c.objects().forEach(o -> entries.add(Entry.of(o, scopes, defaultNamespace)));
      out.put(c.id(), entries);
    }
    return new AppliedInventory(out);
  }

  /** This inventory without {@code removed} in {@code component} (after they were pruned). */
  public AppliedInventory minus(String component, Collection<ObjectKey> removed) {
    SortedMap<String, SortedSet<Entry>> out = new TreeMap<>(components);
    SortedSet<Entry> left =
        out.getOrDefault(component, new TreeSet<>()).stream()
            .filter(e -> !removed.contains(e.key()))
            .collect(Collectors.toCollection(TreeSet::new));
    if (left.isEmpty()) {
      out.remove(component);
    } else {
      out.put(component, left);
    }
    return new AppliedInventory(out);
  }

  /** This inventory without a component (it was uninstalled). */
  public AppliedInventory without(String component) {
    SortedMap<String, SortedSet<Entry>> out = new TreeMap<>(components);
    out.remove(component);
    return new AppliedInventory(out);
  }

  public SortedSet<Entry> of(String component) {
    return components.getOrDefault(component, new TreeSet<>());
  }

  public int size() {
    return components.values().stream().mapToInt(SortedSet::size).sum();
  }

  public boolean isEmpty() {
    return components.isEmpty();
  }

  /** Whether everything {@code other} holds is here already (then nothing need be written). */
  public boolean covers(AppliedInventory other) {
    return other.components.entrySet().stream()
        .allMatch(e -> of(e.getKey()).containsAll(e.getValue()));
  }

  public static Optional<AppliedInventory> read(KubernetesClient client) {
    ConfigMap cm = client.configMaps().inNamespace(NAMESPACE).withName(NAME).get();
    return cm == null ? Optional.empty() : Optional.of(fromConfigMap(cm));
  }

  static AppliedInventory fromConfigMap(ConfigMap cm) {
    SortedMap<String, SortedSet<Entry>> components = new TreeMap<>();
    Map<String, String> data = cm.getData() == null ? Map.of() : cm.getData();
    data.forEach(
        (id, text) ->
            components.put(
                id,
                text.lines()
                    .filter(l -> !l.isBlank())
                    .map(Entry::parse)
                    .collect(Collectors.toCollection(TreeSet::new))));
    return new AppliedInventory(components);
  }

  public ConfigMap toConfigMap() {
    Map<String, String> data = new LinkedHashMap<>();
    components.forEach(
        (id, entries) ->
            data.put(id, entries.stream().map(e -> e.line() + "\n").collect(Collectors.joining())));
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(NAME)
        .withNamespace(NAMESPACE)
        .addToLabels("app.kubernetes.io/managed-by", "kfboot")
        .endMetadata()
        .withData(data)
        .build();
  }

  /**
   * Writes this inventory in place of what was there: a create or a whole update, not an apply, so
   * that the keys of components taken out go with them whatever field managers say.
   */
  public void write(KubernetesClient client, RetryPolicy retry, RetryPolicy.Listener listener) {
    ConfigMap cm = toConfigMap();
    retry.run(
        "record applied objects",
        () ->
            client
                .configMaps()
                .inNamespace(NAMESPACE)
                .resource(cm)
                .createOr(NonDeletingOperation::update),
        listener);
  }

  static void delete(KubernetesClient client) {
    client.configMaps().inNamespace(NAMESPACE).withName(NAME).delete();
  }

  List<String> componentIds() {
    return List.copyOf(components.keySet());
  }
}
