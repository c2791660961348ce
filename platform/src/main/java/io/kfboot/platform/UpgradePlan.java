package io.kfboot.platform;

import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.components.upgrade.ImmutableFields.Resolution;
import io.kfboot.components.upgrade.KeepRules.Disposition;
import io.kfboot.components.upgrade.ReleaseDiff;
import io.kfboot.components.upgrade.ReleaseDiff.ComponentChanges;
import io.kfboot.components.upgrade.ReleaseDiff.FieldChange;
import io.kfboot.components.upgrade.ReleaseDiff.Removal;
import io.kfboot.components.upgrade.UpgradeException;
import io.kfboot.components.upgrade.UpgradeHop;
import io.kfboot.components.upgrade.UpgradeStep;
import io.kfboot.components.upgrade.VendorVersions;
import io.kfboot.core.ExitCategory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code kfboot upgrade --plan} shows: the release pair's steps, the per-component diff, what
 * is kept and why, what cannot change in place and what kfboot does about it, the vendors' version
 * moves, the data that moves one way, and the backup an upgrade takes first. Made by {@link
 * Upgrades#plan}; printed as text or JSON.
 *
 * @param adopted the cluster had no inventory: it was rebuilt from the installed release's render
 * @param crdObjects for each CRD the new release drops, how many objects of its kind exist
 * @param profileNamespaces where per-namespace objects are reset
 * @param inventory what kfboot applied, as recorded (or rebuilt)
 * @param fromComponents the components the old release had installed
 */
public record UpgradePlan(
    UpgradeHop hop,
    ReleaseDiff diff,
    boolean adopted,
    Map<String, Integer> crdObjects,
    List<String> profileNamespaces,
    InstallPlan installed,
    InstallPlan target,
    AppliedInventory inventory,
    List<String> fromComponents) {

  private static final Pattern MYSQL = Pattern.compile("(?:.*/)?mysql:(\\d+\\.\\d+)[^/]*");

  public UpgradePlan {
    crdObjects = Map.copyOf(crdObjects);
    profileNamespaces = List.copyOf(profileNamespaces);
    fromComponents = List.copyOf(fromComponents);
  }

  /** Whether a kept-while-in-use CRD is kept here: it still has objects. */
  public boolean kept(Removal r) {
    return switch (r.keep().disposition()) {
      case KEEP -> true;
      case PRUNE -> false;
      case KEEP_IF_IN_USE -> crdObjects.getOrDefault(r.entry().name(), 0) > 0;
    };
  }

  /**
   * What the upgrade deletes and recreates before applying: the pair's steps and the detector's.
   */
  public List<String> recreated() {
    List<String> out = new ArrayList<>();
    for (UpgradeStep s : hop.steps()) {
      if (s instanceof UpgradeStep.DeleteBeforeApply d) {
        out.add(d.object() + ": " + d.why());
      }
    }
    for (FieldChange f : diff.conflicts()) {
      if (f.conflict().resolution() == Resolution.RECREATE) {
        out.add(
            f.key()
                + ": "
                + f.conflict().field()
                + " cannot change in place ("
                + f.conflict().detail()
                + ")");
      }
    }
    return out;
  }

  /**
   * Fails, with the refusals and the way to see them, when the plan holds any: the one check that
   * {@code kfboot upgrade} and the stack's preview both make before anything changes.
   */
  public void requireNoRefusals() {
    List<String> refused = refusals();
    if (!refused.isEmpty()) {
      throw new UpgradeException(
          "the upgrade to "
              + hop.to()
              + " would change fields that cannot change in place: "
              + String.join("; ", refused),
          "see 'kfboot upgrade --to " + hop.to() + " --plan'; nothing was changed",
          ExitCategory.UNEXPECTED_STATE);
    }
  }

  /** Fields the upgrade refuses to change, and why; a plan with any cannot be applied. */
  public List<String> refusals() {
    List<String> out = new ArrayList<>();
    List<String> migrated =
        hop.steps().stream()
            .filter(s -> s instanceof UpgradeStep.MigrateStoredVersion)
            .map(s -> ((UpgradeStep.MigrateStoredVersion) s).crd())
            .toList();
    for (FieldChange f : diff.conflicts()) {
      Resolution r = f.conflict().resolution();
      if (r == Resolution.REFUSE
          || (r == Resolution.MIGRATE_STORED_VERSION && !migrated.contains(f.key().name()))) {
        out.add(f.key() + " " + f.conflict().field() + ": " + f.conflict().detail());
      }
    }
    return out;
  }

  /** Warnings a person should read before upgrading. */
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    if (adopted) {
      out.add(
          "the cluster has no record of the objects kfboot applied (installed by an older kfboot):"
              + " it is rebuilt from the render of "
              + hop.from());
    }
    diff.vendors().stream().filter(VendorVersions.Move::skips).forEach(m -> out.add(m.warning()));
    oneWay().ifPresent(out::add);
    return out;
  }

  /** MySQL's major.minor moving up: its data directory cannot go back. */
  private Optional<String> oneWay() {
    Optional<String> from = mysql(installed);
    Optional<String> to = mysql(target);
    if (from.isPresent() && to.isPresent() && !from.get().equals(to.get())) {
      return Optional.of(
          "MySQL moves from "
              + from.get()
              + " to "
              + to.get()
              + ": one way, its data cannot be opened by the older server again; the way back is"
              + " the backup");
    }
    return Optional.empty();
  }

  private static Optional<String> mysql(InstallPlan plan) {
    for (PlannedComponent c : plan.components()) {
      for (String image : c.images()) {
        Matcher m = MYSQL.matcher(image);
        if (m.matches()) {
          return Optional.of(m.group(1));
        }
      }
    }
    return Optional.empty();
  }

  /** What an upgrade saves before it changes anything, read from the installed release. */
  public List<String> backups() {
    List<String> out = new ArrayList<>();
    for (BackupManifest.Database d : Backups.databases(Backups.deploymentsOf(installed))) {
      out.add(
          "mysqldump of "
              + d.name()
              + " ("
              + String.join(", ", d.databases())
              + ") from Deployment "
              + d.namespace()
              + "/"
              + d.deployment());
    }
    Backups.bucket(Backups.deploymentsOf(installed))
        .ifPresent(
            b ->
                out.add(
                    "a listing of bucket "
                        + b.bucket()
                        + " (every key, size and checksum) from pods "
                        + b.pods()));
    out.add(
        "for clusters kfboot made over SSH (--inventory): k3s etcd-snapshot save on the first"
            + " server, or an online copy of its state.db where the server has no etcd, with the"
            + " server token");
    return out;
  }

  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append("upgrade ").append(hop).append(" (read-only plan; nothing was changed)\n");
    List<String> refusals = refusals();
    if (!refusals.isEmpty()) {
      b.append("\nREFUSED: these cannot change in place and kfboot will not recreate them:\n");
      refusals.forEach(r -> b.append("  ").append(r).append('\n'));
    }
    List<String> warnings = warnings();
    if (!warnings.isEmpty()) {
      b.append("\nwarnings:\n");
      warnings.forEach(w -> b.append("  ").append(w).append('\n'));
    }
    b.append("\nbackup, before any change:\n");
    backups().forEach(x -> b.append("  ").append(x).append('\n'));
    b.append("\nsteps of ").append(hop).append(":\n");
    if (hop.steps().isEmpty()) {
      b.append("  none beyond apply and prune\n");
    }
    for (UpgradeStep s : hop.steps()) {
      b.append("  ").append(s.describe()).append("\n    why: ").append(s.why()).append('\n');
      if (s instanceof UpgradeStep.ResetProfileObjects) {
        b.append("    profile namespaces: ")
            .append(profileNamespaces.isEmpty() ? "none" : String.join(", ", profileNamespaces))
            .append('\n');
      }
    }
    List<String> recreated = recreated();
    if (!recreated.isEmpty()) {
      b.append("\ndeleted and recreated before the apply:\n");
      recreated.forEach(r -> b.append("  ").append(r).append('\n'));
    }
    b.append('\n').append(diff.toText());
    List<Removal> kept = keptRemovals();
    if (!kept.isEmpty()) {
      b.append("\nkept, not pruned (remove them yourself once you are sure):\n");
      for (Removal r : kept) {
        b.append("  ").append(r.entry()).append(": ").append(r.keep().why());
        if (r.keep().disposition() == Disposition.KEEP_IF_IN_USE) {
          b.append(" (").append(crdObjects.get(r.entry().name())).append(" on the cluster)");
        }
        b.append("\n    ").append(r.keep().whatToDo()).append('\n');
      }
    }
    return b.toString();
  }

  private List<Removal> keptRemovals() {
    return diff.components().stream()
        .flatMap(c -> c.removed().stream())
        .filter(this::kept)
        .toList();
  }

  /** The plan for {@code --output json} (schemaVersion 1). */
  public Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("schemaVersion", 1);
    m.put("from", hop.from());
    m.put("to", hop.to());
    m.put("refused", refusals());
    m.put("warnings", warnings());
    m.put("backups", backups());
    List<Map<String, Object>> steps = new ArrayList<>();
    for (UpgradeStep s : hop.steps()) {
      Map<String, Object> step = new LinkedHashMap<>();
      step.put("type", s.getClass().getSimpleName());
      step.put("description", s.describe());
      step.put("why", s.why());
      step.put("source", s.source());
      steps.add(step);
    }
    m.put("steps", steps);
    m.put("recreated", recreated());
    List<Map<String, Object>> components = new ArrayList<>();
    for (ComponentChanges c : diff.components()) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("id", c.id());
      cm.put("status", c.status());
      cm.put("added", c.added().stream().map(Object::toString).toList());
      cm.put("changed", c.changed().stream().map(Object::toString).toList());
      List<Map<String, Object>> removed = new ArrayList<>();
      for (Removal r : c.removed()) {
        Map<String, Object> rm = new LinkedHashMap<>();
        rm.put("object", r.entry().toString());
        rm.put("pruned", !kept(r));
        rm.put("why", kept(r) ? r.keep().why() : "the new release no longer has it");
        if (kept(r)) {
          rm.put("whatToDo", r.keep().whatToDo());
        }
        removed.add(rm);
      }
      cm.put("removed", removed);
      cm.put("unchanged", c.unchanged());
      components.add(cm);
    }
    m.put("components", components);
    List<Map<String, Object>> vendors = new ArrayList<>();
    for (VendorVersions.Move v : diff.vendors()) {
      vendors.add(
          Map.of(
              "vendor", v.vendor(), "from", v.from(), "to", v.to(), "skippedMinors", v.skipped()));
    }
    m.put("vendors", vendors);
    m.put("profileNamespaces", profileNamespaces);
    return m;
  }
}
