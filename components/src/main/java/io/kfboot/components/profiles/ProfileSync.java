package io.kfboot.components.profiles;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kfboot.components.install.ApplyOutcome;
import io.kfboot.components.install.ObjectApplier;
import io.kfboot.components.install.RetryPolicy;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Brings the cluster's profiles to the inventory's, without ever losing a namespace by accident
 * (deleting a Profile deletes its namespace and everything in it):
 *
 * <ul>
 *   <li>declared profiles and their contributors' KFAM pairs are applied (server-side, as the
 *       install engine does), once the profile controller has made each namespace;
 *   <li>contributors kfboot made that the inventory no longer lists are removed; bindings made in
 *       the dashboard (no {@link ProfileObjects#MANAGED} label) are left alone;
 *   <li>a profile kfboot made that the inventory no longer lists becomes stale, as Charmed's
 *       profiles automator does: annotated {@value #STALE}, kfboot's contributors removed, the
 *       Profile and its namespace kept, unless its name is passed to delete it.
 * </ul>
 */
public final class ProfileSync {
  public static final String STALE = "kfboot.io/stale";

  /** The component id kfboot's owner label gives the objects it makes for profiles. */
  static final String COMPONENT = "kfboot-profiles";

  static final ResourceDefinitionContext PROFILES =
      new ResourceDefinitionContext.Builder()
          .withGroup("kubeflow.org")
          .withVersion("v1")
          .withPlural("profiles")
          .withKind("Profile")
          .withNamespaced(false)
          .build();
  static final ResourceDefinitionContext POLICIES =
      new ResourceDefinitionContext.Builder()
          .withGroup("security.istio.io")
          .withVersion("v1beta1")
          .withPlural("authorizationpolicies")
          .withKind("AuthorizationPolicy")
          .withNamespaced(true)
          .build();

  private final KubernetesClient client;
  private final ObjectApplier applier;
  private final Waiter waiter;
  private final Duration timeout;
  private final Consumer<String> progress;

  public ProfileSync(
      KubernetesClient client, Duration poll, Duration timeout, Consumer<String> progress) {
    this.client = client;
    this.applier =
        new ObjectApplier(
            client,
            RetryPolicy.DEFAULT,
            (what, attempt, attempts, error, pause) ->
                progress.accept(what + ": attempt " + attempt + "/" + attempts + " failed, again"),
            Map.of());
    this.waiter = new Waiter(poll, new ClusterDiagnostics(client), Waiter.Listener.NONE);
    this.timeout = timeout;
    this.progress = progress;
  }

  /** What a sync did, by object reference. */
  /**
   * @param applied the objects created or changed
   * @param unchanged how many declared objects the cluster held as they are
   */
  public record Report(
      List<String> applied,
      int unchanged,
      List<String> removed,
      List<String> stale,
      List<String> deleted) {}

  /** One profile on the cluster, as {@code kfboot profiles list} shows it. */
  public record Listed(
      String name,
      String owner,
      boolean managed,
      boolean stale,
      Map<String, String> contributors) {}

  public List<Listed> list() {
    List<Listed> out = new ArrayList<>();
    for (GenericKubernetesResource p :
        client.genericKubernetesResources(PROFILES).list().getItems()) {
      String name = p.getMetadata().getName();
      Map<String, String> contributors = new LinkedHashMap<>();
      for (RoleBinding rb : client.rbac().roleBindings().inNamespace(name).list().getItems()) {
        Map<String, String> a = rb.getMetadata().getAnnotations();
        if (a != null && a.containsKey("user") && a.containsKey("role")) {
          contributors.put(a.get("user"), a.get("role"));
        }
      }
      Object owner = LiveProfile.owner(p);
      out.add(
          new Listed(
              name,
              String.valueOf(owner),
              managed(p.getMetadata().getLabels()),
              "true".equals(annotation(p, STALE)),
              contributors));
    }
    return out;
  }

  /**
   * @param deleteStale names of stale profiles to delete with their namespaces; each must be a
   *     profile kfboot made that the inventory no longer lists
   */
  public Report apply(
      List<ProfileSpec> declared, Map<String, List<String>> groups, Set<String> deleteStale) {
    List<K8sObject> desired = ProfileObjects.render(declared, groups);
    Set<String> declaredNames = new TreeSet<>();
    declared.forEach(p -> declaredNames.add(p.name()));
    Map<String, GenericKubernetesResource> live = new LinkedHashMap<>();
    for (GenericKubernetesResource p :
        client.genericKubernetesResources(PROFILES).list().getItems()) {
      live.put(p.getMetadata().getName(), p);
    }
    for (String name : deleteStale) {
      GenericKubernetesResource p = live.get(name);
      if (declaredNames.contains(name) || p == null || !managed(p.getMetadata().getLabels())) {
        throw new KfbootException(
            "--delete-stale-profile "
                + name
                + ": "
                + (declaredNames.contains(name)
                    ? "the inventory still declares it"
                    : p == null ? "no such profile" : "kfboot did not make it"),
            "name only profiles that kfboot profiles list shows as stale; nothing was changed",
            ExitCategory.INVALID_INPUT);
      }
    }
    for (ProfileSpec p : declared) {
      GenericKubernetesResource existing = live.get(p.name());
      if (existing != null && !p.owner().equals(LiveProfile.owner(existing))) {
        // the profile controller loses the namespace when the owner changes (kubeflow/dashboard#33)
        throw new KfbootException(
            "profile "
                + p.name()
                + " is owned by "
                + LiveProfile.owner(existing)
                + ", not "
                + p.owner(),
            "keep the owner and add "
                + p.owner()
                + " as an admin contributor; upstream cannot"
                + " change a Profile's owner",
            ExitCategory.INVALID_INPUT);
      }
    }
    List<String> applied = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    List<String> deleted = new ArrayList<>();
    int unchanged = 0;
    for (K8sObject o : desired) {
      if (o.kind().equals("Profile")) {
        if (apply(o)) {
          applied.add("Profile " + o.name());
        } else {
          unchanged++;
        }
      }
    }
    for (String ns : declaredNames) {
      awaitNamespace(ns);
    }
    Map<String, Set<String>> wanted = new LinkedHashMap<>();
    for (K8sObject o : desired) {
      if (!o.kind().equals("Profile")) {
        if (apply(o)) {
          applied.add(o.kind() + " " + o.namespace() + "/" + o.name());
        } else {
          unchanged++;
        }
        wanted.computeIfAbsent(o.namespace(), k -> new HashSet<>()).add(o.kind() + "/" + o.name());
      }
    }
    for (String ns : declaredNames) {
      removed.addAll(removeManaged(ns, wanted.getOrDefault(ns, Set.of())));
    }
    for (GenericKubernetesResource p : live.values()) {
      String name = p.getMetadata().getName();
      if (declaredNames.contains(name) || !managed(p.getMetadata().getLabels())) {
        continue;
      }
      removed.addAll(removeManaged(name, Set.of()));
      if (deleteStale.contains(name)) {
        client.genericKubernetesResources(PROFILES).withName(name).delete();
        deleted.add("Profile " + name);
        progress.accept("profile " + name + ": deleted, with its namespace, as asked");
      } else {
        client
            .genericKubernetesResources(PROFILES)
            .withName(name)
            .edit(
                r -> {
                  Map<String, String> a = new LinkedHashMap<>();
                  if (r.getMetadata().getAnnotations() != null) {
                    a.putAll(r.getMetadata().getAnnotations());
                  }
                  a.put(STALE, "true");
                  r.getMetadata().setAnnotations(a);
                  return r;
                });
        stale.add("Profile " + name);
        progress.accept(
            "profile "
                + name
                + ": no longer in the inventory; kept with its namespace, contributors removed"
                + " (kfboot profiles apply --delete-stale-profile "
                + name
                + " deletes it)");
      }
    }
    return new Report(applied, unchanged, removed, stale, deleted);
  }

  /**
   * Through the install engine's applier: server-side apply, nothing sent where the cluster holds
   * it already (a rerun writes nothing), transient failures retried.
   */
  /** Whether the object was created or changed. */
  private boolean apply(K8sObject o) {
    return applier.apply(o, o.kind().equals("Profile"), COMPONENT) != ApplyOutcome.UNCHANGED;
  }

  /** kfboot's RoleBindings and AuthorizationPolicies in {@code ns} that are not {@code keep}. */
  private List<String> removeManaged(String ns, Set<String> keep) {
    List<String> out = new ArrayList<>();
    if (client.namespaces().withName(ns).get() == null) {
      return out;
    }
    for (RoleBinding rb :
        client
            .rbac()
            .roleBindings()
            .inNamespace(ns)
            .withLabel(ProfileObjects.MANAGED, "true")
            .list()
            .getItems()) {
      if (!keep.contains("RoleBinding/" + rb.getMetadata().getName())) {
        client.rbac().roleBindings().inNamespace(ns).withName(rb.getMetadata().getName()).delete();
        out.add("RoleBinding " + ns + "/" + rb.getMetadata().getName());
      }
    }
    for (GenericKubernetesResource ap :
        client
            .genericKubernetesResources(POLICIES)
            .inNamespace(ns)
            .withLabel(ProfileObjects.MANAGED, "true")
            .list()
            .getItems()) {
      if (!keep.contains("AuthorizationPolicy/" + ap.getMetadata().getName())) {
        client
            .genericKubernetesResources(POLICIES)
            .inNamespace(ns)
            .withName(ap.getMetadata().getName())
            .delete();
        out.add("AuthorizationPolicy " + ns + "/" + ap.getMetadata().getName());
      }
    }
    return out;
  }

  /** The profile controller makes the namespace; on timeout the waiter's diagnostics say why. */
  private void awaitNamespace(String ns) {
    waiter.await(
        Condition.of(
            "Namespace " + ns + " made by the profile controller",
            List.of("kubeflow"),
            () ->
                client.namespaces().withName(ns).get() != null
                    ? ConditionResult.met("exists")
                    : ConditionResult.pending("not yet")),
        timeout);
  }

  private static boolean managed(Map<String, String> labels) {
    return labels != null && "true".equals(labels.get(ProfileObjects.MANAGED));
  }

  private static String annotation(GenericKubernetesResource r, String key) {
    Map<String, String> a = r.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  /** Reading a live Profile. */
  private static final class LiveProfile {
    static String owner(GenericKubernetesResource p) {
      Object spec = p.getAdditionalProperties().get("spec");
      if (spec instanceof Map<?, ?> s && s.get("owner") instanceof Map<?, ?> o) {
        return String.valueOf(o.get("name"));
      }
      return null;
    }
  }
}
