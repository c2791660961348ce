package io.kfboot.components.upgrade;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.install.InstallListener;
import io.kfboot.components.install.InstallReport;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.ObjectRemover;
import io.kfboot.components.plan.ApplyOrder;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.upgrade.ImmutableFields.Resolution;
import io.kfboot.components.upgrade.KeepRules.Disposition;
import io.kfboot.components.upgrade.ReleaseDiff.FieldChange;
import io.kfboot.components.upgrade.ReleaseDiff.Removal;
import io.kfboot.components.upgrade.UpgradeStep.CopyBucket;
import io.kfboot.components.upgrade.UpgradeStep.DeleteBeforeApply;
import io.kfboot.components.upgrade.UpgradeStep.ObjectRef;
import io.kfboot.components.upgrade.UpgradeStep.ResetProfileObjects;
import io.kfboot.core.ExitCategory;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ObjectKey;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.verify.diagnostics.Diagnostics;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Runs an upgrade a plan describes, in steps recorded in {@link UpgradeState} so that a rerun after
 * a kill goes on where it stopped: the deletes that must come before the apply (the pair's and the
 * detector's), the inventory grown by the new release's objects, the new release applied by the
 * install engine (its order and gates), the pods with an old Istio sidecar restarted, the bucket
 * copied, the per-profile objects reset, and the objects the new release no longer has pruned in
 * reverse dependency order, never a kept one. Backups and verify belong to the caller: they need
 * more than the cluster's API.
 */
public final class Upgrader {
  /** The annotation whose new value rolls a workload's pods (as kubectl rollout restart does). */
  public static final String RESTARTED_FOR = "kfboot.io/restarted-for-istio";

  public static final String STEP_DELETE = "delete-before-apply";
  public static final String STEP_MIGRATE = "migrate-stored-versions";
  public static final String STEP_INVENTORY = "inventory";
  public static final String STEP_APPLY = "apply";
  public static final String STEP_RESTART = "restart-sidecars";
  public static final String STEP_COPY = "copy-bucket";
  public static final String STEP_RESET = "reset-profile-objects";
  public static final String STEP_PRUNE = "prune";

  /** The steps, in order. */
  public static final List<String> STEPS =
      List.of(
          STEP_DELETE, STEP_INVENTORY, STEP_APPLY, STEP_RESTART, STEP_COPY, STEP_RESET, STEP_PRUNE);

  /**
   * What to upgrade: the pair, both plans, what the cluster's inventory holds, the diff, and what
   * only the cluster knew when the plan was made.
   *
   * @param fromSource where the old release was installed from (kept for a rerun)
   * @param fromComponents what the old release had installed (kept for a rerun)
   * @param crdsInUse the CRDs the new release drops that still have objects (kept)
   * @param profileNamespaces where per-profile objects are reset
   */
  public record Request(
      UpgradeHop hop,
      String fromSource,
      List<String> fromComponents,
      InstallPlan from,
      InstallPlan to,
      AppliedInventory inventory,
      ReleaseDiff diff,
      Set<String> crdsInUse,
      List<String> profileNamespaces) {}

  /** What the upgrade did. */
  public record Report(
      InstallReport install,
      List<String> deletedFirst,
      List<String> restarted,
      List<BucketCopier.Report> copies,
      List<String> reset,
      List<String> pruned,
      List<String> kept) {}

  private final KubernetesClient client;
  private final Installer.Options options;
  private final InstallListener listener;
  private final Diagnostics diagnostics;
  private final BucketCopier copier;

  public Upgrader(
      KubernetesClient client,
      Installer.Options options,
      InstallListener listener,
      Diagnostics diagnostics,
      BucketCopier copier) {
    this.client = client;
    this.options = options;
    this.listener = listener;
    this.diagnostics = diagnostics;
    this.copier = copier;
  }

  public Report upgrade(Request r) {
    String from = r.hop().from();
    String to = r.hop().to();
    Optional<UpgradeState> running = UpgradeState.read(client);
    Optional<InstallState> installed = InstallState.read(client);
    if (running.isEmpty()
        && installed.isPresent()
        && installed.get().release().equals(to)
        && installed.get().phase().equals(Installer.PHASE_INSTALLED)) {
      // a rerun after the upgrade finished: nothing to do, and nothing is written
      return new Report(null, List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }
    UpgradeState state =
        running
            .filter(s -> s.from().equals(from) && s.to().equals(to))
            .orElse(new UpgradeState(from, r.fromSource(), r.fromComponents(), to, List.of()));
    state.write(client);
    List<K8sObject> known =
        Stream.concat(
                r.from().components().stream().flatMap(c -> c.objects().stream()),
                r.to().components().stream().flatMap(c -> c.objects().stream()))
            .toList();
    ObjectRemover remover = new ObjectRemover(client, options, diagnostics, known);
    Scopes scopes = new Scopes(known);

    List<String> deletedFirst = new ArrayList<>();
    if (!state.did(STEP_DELETE)) {
      for (K8sObject o : deletesBeforeApply(r, scopes)) {
        listener.warning("upgrade: deleting " + o.key() + " before the apply");
        remover.deleteAndAwaitGone(o, options.gateTimeout());
        listener.objectDeleted(STEP_DELETE, o);
        deletedFirst.add(o.key().toString());
      }
      state = done(state, STEP_DELETE);
    }
    if (!state.did(STEP_MIGRATE)) {
      for (UpgradeStep s : r.hop().steps()) {
        if (s instanceof UpgradeStep.MigrateStoredVersion m) {
          new StoredVersionMigration(client, listener::warning).migrate(m);
        }
      }
      state = done(state, STEP_MIGRATE);
    }
    AppliedInventory inventory =
        AppliedInventory.read(client).orElse(r.inventory()).plus(r.to(), namespace());
    if (!state.did(STEP_INVENTORY)) {
      writeInventory(inventory);
      state = done(state, STEP_INVENTORY);
    }
    InstallReport install = null;
    if (!state.did(STEP_APPLY)) {
      install = new Installer(client, options, listener, diagnostics).upgrade(r.to(), from);
      state = done(state, STEP_APPLY);
    }
    List<String> restarted = new ArrayList<>();
    if (!state.did(STEP_RESTART)) {
      restarted = restartInjected(r.diff());
      state = done(state, STEP_RESTART);
    }
    List<BucketCopier.Report> copies = new ArrayList<>();
    if (!state.did(STEP_COPY)) {
      for (UpgradeStep s : r.hop().steps()) {
        if (s instanceof CopyBucket c) {
          BucketCopier.Job job = job(c);
          listener.warning("upgrade: copying " + job);
          copies.add(copier.copy(job));
        }
      }
      state = done(state, STEP_COPY);
    }
    List<String> reset = new ArrayList<>();
    if (!state.did(STEP_RESET)) {
      for (UpgradeStep s : r.hop().steps()) {
        if (s instanceof ResetProfileObjects p) {
          reset.addAll(resetProfileObjects(p, r.profileNamespaces(), remover));
        }
      }
      state = done(state, STEP_RESET);
    }
    List<String> pruned = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    if (!state.did(STEP_PRUNE)) {
      inventory = prune(r, inventory, remover, scopes, pruned, kept);
      state = done(state, STEP_PRUNE);
    }
    UpgradeState.delete(client);
    return new Report(install, deletedFirst, restarted, copies, reset, pruned, kept);
  }

  private UpgradeState done(UpgradeState state, String step) {
    UpgradeState next = state.with(step);
    options
        .retry()
        .run(
            "record upgrade step " + step,
            () -> {
              next.write(client);
              return null;
            },
            listener);
    return next;
  }

  private void writeInventory(AppliedInventory inventory) {
    inventory.write(client, options.retry(), listener);
  }

  private String namespace() {
    return client.getNamespace() == null
        ? AppliedInventory.DEFAULT_NAMESPACE
        : client.getNamespace();
  }

  /** The pair's deletes and every field the detector says must be recreated, as old objects. */
  private List<K8sObject> deletesBeforeApply(Request r, Scopes scopes) {
    Map<ObjectKey, K8sObject> out = new LinkedHashMap<>();
    for (UpgradeStep s : r.hop().steps()) {
      if (s instanceof DeleteBeforeApply d) {
        find(r, d.object()).ifPresent(o -> out.put(o.key(), o));
      }
    }
    for (FieldChange f : r.diff().conflicts()) {
      if (f.conflict().resolution() == Resolution.RECREATE) {
        r.from().components().stream()
            .flatMap(c -> c.objects().stream())
            .filter(o -> AppliedInventory.Entry.of(o, scopes, namespace()).key().equals(f.key()))
            .findFirst()
            .ifPresent(o -> out.put(o.key(), o));
      }
    }
    return new ArrayList<>(out.values());
  }

  /**
   * The old release's object a step names (by kind, namespace, name), from its plan or inventory.
   */
  private static Optional<K8sObject> find(Request r, ObjectRef ref) {
    Optional<K8sObject> inPlan =
        r.from().components().stream()
            .flatMap(c -> c.objects().stream())
            .filter(
                o ->
                    o.kind().equals(ref.kind())
                        && o.name().equals(ref.name())
                        && (ref.namespace().isEmpty() || ref.namespace().equals(o.namespace())))
            .findFirst();
    if (inPlan.isPresent()) {
      return inPlan;
    }
    return r.inventory().components().values().stream()
        .flatMap(Set::stream)
        .filter(
            e ->
                e.kind().equals(ref.kind())
                    && e.name().equals(ref.name())
                    && e.namespace().equals(ref.namespace()))
        .map(AppliedInventory.Entry::toObject)
        .findFirst();
  }

  /**
   * After an Istio change, pods keep the old proxy until they restart: every workload of an
   * injected namespace gets the new version in a pod-template annotation, once (deployKF's
   * update_istio_sidecars.sh does the same by hand).
   */
  private List<String> restartInjected(ReleaseDiff diff) {
    Optional<VendorVersions.Move> istio =
        diff.vendors().stream().filter(m -> m.vendor().equals("Istio")).findFirst();
    if (istio.isEmpty()) {
      return List.of();
    }
    String version = istio.get().to();
    List<String> restarted = new ArrayList<>();
    for (var ns : client.namespaces().withLabel("istio-injection", "enabled").list().getItems()) {
      String n = ns.getMetadata().getName();
      List<Resource<? extends HasMetadata>> workloads = new ArrayList<>();
      client
          .apps()
          .deployments()
          .inNamespace(n)
          .list()
          .getItems()
          .forEach(d -> workloads.add(client.apps().deployments().resource(d)));
      client
          .apps()
          .statefulSets()
          .inNamespace(n)
          .list()
          .getItems()
          .forEach(d -> workloads.add(client.apps().statefulSets().resource(d)));
      client
          .apps()
          .daemonSets()
          .inNamespace(n)
          .list()
          .getItems()
          .forEach(d -> workloads.add(client.apps().daemonSets().resource(d)));
      for (Resource<? extends HasMetadata> w : workloads) {
        HasMetadata live = w.get();
        if (live == null || version.equals(templateAnnotation(live))) {
          continue;
        }
        String patch =
            "{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\""
                + RESTARTED_FOR
                + "\":\""
                + version
                + "\"}}}}}";
        options
            .retry()
            .run(
                "restart " + live.getKind() + " " + n + "/" + live.getMetadata().getName(),
                () -> w.patch(PatchContext.of(PatchType.JSON_MERGE), patch),
                listener);
        restarted.add(live.getKind() + " " + n + "/" + live.getMetadata().getName());
      }
    }
    return restarted;
  }

  private static String templateAnnotation(HasMetadata workload) {
    Map<?, ?> body = Serialization.jsonMapper().convertValue(workload, Map.class);
    Object spec = body.get("spec");
    if (spec instanceof Map<?, ?> s
        && s.get("template") instanceof Map<?, ?> t
        && t.get("metadata") instanceof Map<?, ?> m
        && m.get("annotations") instanceof Map<?, ?> a) {
      Object v = a.get(RESTARTED_FOR);
      return v == null ? null : String.valueOf(v);
    }
    return null;
  }

  /** The copy, resolved against the cluster: a running pod of each store and the keys. */
  private BucketCopier.Job job(CopyBucket c) {
    String ns = c.from().namespace();
    String secretNs = c.secret().substring(0, c.secret().indexOf('/'));
    String secretName = c.secret().substring(c.secret().indexOf('/') + 1);
    Secret secret = client.secrets().inNamespace(secretNs).withName(secretName).get();
    if (secret == null) {
      throw new UpgradeException(
          "the object store keys " + c.secret() + " are missing",
          "the Pipelines install makes this Secret; rerun 'kfboot install' for the old release",
          ExitCategory.UNEXPECTED_STATE);
    }
    return new BucketCopier.Job(
        c.bucket(),
        ns,
        runningPod(c.from()),
        c.from().port(),
        runningPod(c.to()),
        c.to().port(),
        value(secret, c.accessKeyField()),
        value(secret, c.secretKeyField()));
  }

  private String runningPod(UpgradeStep.Endpoint e) {
    return ClusterFacts.runningPod(client, e.namespace(), e.pods())
        .orElseThrow(
            () ->
                new UpgradeException(
                    "no running pod " + e.pods() + " in " + e.namespace() + " to copy with",
                    "check the store's Deployment (kubectl get pods -n "
                        + e.namespace()
                        + " -l "
                        + e.pods()
                        + "); then rerun the upgrade, it resumes",
                    ExitCategory.UNEXPECTED_STATE));
  }

  private static String value(Secret s, String key) {
    return ClusterFacts.secretValue(s, key)
        .orElseThrow(
            () ->
                new UpgradeException(
                    "Secret "
                        + s.getMetadata().getNamespace()
                        + "/"
                        + s.getMetadata().getName()
                        + " has no "
                        + key,
                    "the Pipelines install writes it; rerun 'kfboot install' for the old release",
                    ExitCategory.UNEXPECTED_STATE));
  }

  private List<String> resetProfileObjects(
      ResetProfileObjects step, List<String> namespaces, ObjectRemover remover) {
    List<String> out = new ArrayList<>();
    for (String ns : namespaces) {
      for (ObjectRef ref : step.objects()) {
        K8sObject o =
            K8sObject.of(
                K8sObject.map(
                    "apiVersion",
                    "v1",
                    "kind",
                    ref.kind(),
                    "metadata",
                    K8sObject.map("name", ref.name(), "namespace", ns)));
        if (remover.delete(o)) {
          listener.objectDeleted(STEP_RESET, o);
          out.add(ref.kind() + " " + ns + "/" + ref.name());
        }
      }
    }
    return out;
  }

  /**
   * Deletes what the new release no longer has and is not kept, component by component in reverse
   * dependency order (the old plan's, those only the inventory names first), inside a component in
   * uninstall's phase order; the inventory loses each component's pruned entries as it goes.
   */
  private AppliedInventory prune(
      Request r,
      AppliedInventory inventory,
      ObjectRemover remover,
      Scopes scopes,
      List<String> pruned,
      List<String> kept) {
    List<String> order = new ArrayList<>();
    r.from().components().forEach(c -> order.add(c.id()));
    Collections.reverse(order);
    r.diff().components().stream()
        .map(ReleaseDiff.ComponentChanges::id)
        .filter(id -> !order.contains(id))
        .forEach(id -> order.add(0, id));
    Map<String, ReleaseDiff.ComponentChanges> byId = new LinkedHashMap<>();
    r.diff().components().forEach(c -> byId.put(c.id(), c));
    for (String id : order) {
      ReleaseDiff.ComponentChanges c = byId.get(id);
      if (c == null || c.removed().isEmpty()) {
        continue;
      }
      List<K8sObject> doomed = new ArrayList<>();
      List<ObjectKey> doomedKeys = new ArrayList<>();
      for (Removal removal : c.removed()) {
        boolean keep =
            removal.keep().disposition() == Disposition.KEEP
                || (removal.keep().disposition() == Disposition.KEEP_IF_IN_USE
                    && r.crdsInUse().contains(removal.entry().name()));
        if (keep) {
          kept.add(removal.entry() + ": " + removal.keep().why());
        } else {
          doomed.add(removal.entry().toObject());
          doomedKeys.add(removal.entry().key());
        }
      }
      Map<ApplyOrder.Phase, List<K8sObject>> byPhase = ApplyOrder.byPhase(doomed, scopes);
      for (ApplyOrder.Phase p : ApplyOrder.UNINSTALL) {
        for (K8sObject o : byPhase.getOrDefault(p, List.of())) {
          remover.delete(o);
          listener.objectDeleted(STEP_PRUNE, o);
          pruned.add(o.key().toString());
        }
      }
      inventory = inventory.minus(id, doomedKeys);
      writeInventory(inventory);
    }
    return inventory;
  }
}
