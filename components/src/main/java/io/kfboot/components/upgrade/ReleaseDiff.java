package io.kfboot.components.upgrade;

import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.install.AppliedInventory.Entry;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.components.upgrade.ImmutableFields.Conflict;
import io.kfboot.components.upgrade.KeepRules.Keep;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ObjectKey;
import io.kfboot.manifests.parse.Scopes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * What changes between what kfboot installed and a new release's plan, per component: objects
 * added, changed and removed (each removed one pruned or kept, and why), the fields that cannot
 * change in place, and the vendor versions that move. A pure function of the old plan, the
 * cluster's inventory of applied objects and the new plan: the part of {@code kfboot upgrade
 * --plan} that needs no cluster, and the part the golden files pin per release pair.
 *
 * @param components every component of either plan or the inventory: the new plan's in its order,
 *     then those only the old one had
 */
public record ReleaseDiff(
    String from,
    String to,
    List<ComponentChanges> components,
    List<FieldChange> conflicts,
    List<VendorVersions.Move> vendors) {

  public ReleaseDiff {
    components = List.copyOf(components);
    conflicts = List.copyOf(conflicts);
    vendors = List.copyOf(vendors);
  }

  /** One object no longer rendered, and what the upgrade does with it. */
  public record Removal(Entry entry, Keep keep) {}

  /**
   * One component's changes.
   *
   * @param status "new", "removed" (the new release has no such component) or "existing"
   */
  public record ComponentChanges(
      String id,
      String status,
      List<ObjectKey> added,
      List<ObjectKey> changed,
      List<Removal> removed,
      int unchanged) {
    public ComponentChanges {
      added = List.copyOf(added);
      changed = List.copyOf(changed);
      removed = List.copyOf(removed);
    }

    public boolean isEmpty() {
      return added.isEmpty() && changed.isEmpty() && removed.isEmpty();
    }
  }

  /** A field of an object in both releases that the API server will not change in place. */
  public record FieldChange(String component, ObjectKey key, Conflict conflict) {}

  /**
   * @param inventory what kfboot applied under the old release (and earlier ones), as the cluster
   *     records it, or rebuilt from the old plan for a cluster installed before kfboot kept one
   */
  public static ReleaseDiff between(
      InstallPlan oldPlan, AppliedInventory inventory, InstallPlan newPlan) {
    return between(oldPlan, inventory, newPlan, AppliedInventory.DEFAULT_NAMESPACE);
  }

  /**
   * @param defaultNamespace where namespaced objects without a namespace were and will be applied
   *     (the kubeconfig context's namespace), as the inventory records them
   */
  public static ReleaseDiff between(
      InstallPlan oldPlan,
      AppliedInventory inventory,
      InstallPlan newPlan,
      String defaultNamespace) {
    Indexed before = new Indexed(oldPlan, defaultNamespace);
    Indexed after = new Indexed(newPlan, defaultNamespace);
    Set<ObjectKey> everInstalled = new LinkedHashSet<>(before.objects.keySet());
    inventory.components().values().forEach(es -> es.forEach(e -> everInstalled.add(e.key())));

    Map<String, ComponentChanges> out = new LinkedHashMap<>();
    List<FieldChange> conflicts = new ArrayList<>();
    Set<String> oldIds = new LinkedHashSet<>(inventory.components().keySet());
    oldPlan.components().forEach(c -> oldIds.add(c.id()));
    for (PlannedComponent c : newPlan.components()) {
      List<ObjectKey> added = new ArrayList<>();
      List<ObjectKey> changed = new ArrayList<>();
      int unchanged = 0;
      for (K8sObject o : c.objects()) {
        ObjectKey k = after.key(o);
        K8sObject old = before.objects.get(k);
        if (old == null) {
          if (!everInstalled.contains(k)) {
            added.add(k);
          } else {
            // in the inventory from an earlier release but not the last one's render: reapplied
            changed.add(k);
          }
          continue;
        }
        if (Objects.equals(comparable(old.body()), comparable(o.body()))) {
          unchanged++;
        } else {
          changed.add(k);
          for (Conflict conflict : ImmutableFields.between(old, o)) {
            conflicts.add(new FieldChange(c.id(), k, conflict));
          }
        }
      }
      out.put(
          c.id(),
          new ComponentChanges(
              c.id(),
              oldIds.contains(c.id()) ? "existing" : "new",
              added,
              changed,
              List.of(),
              unchanged));
    }
    // removed: what kfboot applied (by the inventory, and the old render) that the new plan lacks
    Map<String, List<Removal>> removed = new LinkedHashMap<>();
    Map<String, Set<Entry>> applied = new LinkedHashMap<>();
    inventory
        .components()
        .forEach((id, es) -> applied.computeIfAbsent(id, k -> new LinkedHashSet<>()).addAll(es));
    for (PlannedComponent c : oldPlan.components()) {
      Set<Entry> es = applied.computeIfAbsent(c.id(), k -> new LinkedHashSet<>());
      Set<ObjectKey> have = new LinkedHashSet<>();
      es.forEach(e -> have.add(e.key()));
      for (K8sObject o : c.objects()) {
        if (!have.contains(before.key(o))) {
          es.add(before.entry(o));
        }
      }
    }
    applied.forEach(
        (id, es) -> {
          for (Entry e : es) {
            if (!after.objects.containsKey(e.key())) {
              removed
                  .computeIfAbsent(id, k -> new ArrayList<>())
                  .add(new Removal(e, KeepRules.of(e)));
            }
          }
        });
    removed.forEach(
        (id, list) -> {
          ComponentChanges c = out.get(id);
          out.put(
              id,
              c == null
                  ? new ComponentChanges(id, "removed", List.of(), List.of(), list, 0)
                  : new ComponentChanges(
                      id, c.status(), c.added(), c.changed(), list, c.unchanged()));
        });
    return new ReleaseDiff(
        oldPlan.tree().release().tag(),
        newPlan.tree().release().tag(),
        new ArrayList<>(out.values()),
        conflicts,
        VendorVersions.moves(oldPlan, newPlan));
  }

  /** A body as the comparison sees it: status is the cluster's, not the render's. */
  private static Map<String, Object> comparable(Map<String, Object> body) {
    Map<String, Object> copy = new LinkedHashMap<>(body);
    copy.remove("status");
    return copy;
  }

  /** A plan's objects by key, cluster-scoped ones without the namespace kustomize may stamp. */
  private static final class Indexed {
    final Map<ObjectKey, K8sObject> objects = new LinkedHashMap<>();
    private final Scopes scopes;
    private final String defaultNamespace;

    Indexed(InstallPlan plan, String defaultNamespace) {
      this.defaultNamespace = defaultNamespace;
      List<K8sObject> all = plan.components().stream().flatMap(c -> c.objects().stream()).toList();
      scopes = new Scopes(all);
      all.forEach(o -> objects.put(key(o), o));
    }

    ObjectKey key(K8sObject o) {
      return entry(o).key();
    }

    Entry entry(K8sObject o) {
      return Entry.of(o, scopes, defaultNamespace);
    }
  }

  /** How many objects of all components {@code what} picks (added, changed, removed). */
  public int count(Function<ComponentChanges, List<?>> what) {
    return components.stream().mapToInt(c -> what.apply(c).size()).sum();
  }

  /**
   * The diff as a person reads it (and the golden files pin): per component, + added, ~ changed, -
   * removed with what happens to it; the fields that cannot change in place; the vendors.
   */
  public String toText() {
    StringBuilder b = new StringBuilder();
    long kept =
        components.stream()
            .flatMap(c -> c.removed().stream())
            .filter(r -> r.keep().disposition() != KeepRules.Disposition.PRUNE)
            .count();
    b.append(from)
        .append(" -> ")
        .append(to)
        .append(": ")
        .append(count(ComponentChanges::added))
        .append(" added, ")
        .append(count(ComponentChanges::changed))
        .append(" changed, ")
        .append(count(ComponentChanges::removed))
        .append(" removed (")
        .append(kept)
        .append(" of them kept)\n");
    for (ComponentChanges c : components) {
      if (c.isEmpty()) {
        continue;
      }
      b.append("\ncomponent ")
          .append(c.id())
          .append(c.status().equals("existing") ? "" : " (" + c.status() + ")")
          .append(": +")
          .append(c.added().size())
          .append(" ~")
          .append(c.changed().size())
          .append(" -")
          .append(c.removed().size())
          .append(", ")
          .append(c.unchanged())
          .append(" unchanged\n");
      c.added().forEach(k -> b.append("  + ").append(k).append('\n'));
      c.changed().forEach(k -> b.append("  ~ ").append(k).append('\n'));
      for (Removal r : c.removed()) {
        b.append("  - ").append(r.entry()).append(": ");
        switch (r.keep().disposition()) {
          case PRUNE -> b.append("pruned");
          case KEEP -> b.append("kept, ").append(r.keep().why());
          case KEEP_IF_IN_USE -> b.append("kept while in use, ").append(r.keep().why());
        }
        b.append('\n');
      }
    }
    if (!conflicts.isEmpty()) {
      b.append("\nfields that cannot change in place:\n");
      for (FieldChange f : conflicts) {
        b.append("  ")
            .append(f.key())
            .append(" (")
            .append(f.component())
            .append(") ")
            .append(f.conflict().field())
            .append(": ")
            .append(
                switch (f.conflict().resolution()) {
                  case RECREATE -> "deleted and recreated";
                  case MIGRATE_STORED_VERSION -> "stored objects migrated first";
                  case REFUSE -> "refused";
                })
            .append('\n');
      }
    }
    if (!vendors.isEmpty()) {
      b.append("\nvendors:\n");
      for (VendorVersions.Move m : vendors) {
        b.append("  ")
            .append(m.vendor())
            .append(' ')
            .append(m.from())
            .append(" -> ")
            .append(m.to())
            .append(m.skips() ? " (passes over " + m.skipped() + " minor)" : "")
            .append('\n');
      }
    }
    return b.toString();
  }
}
