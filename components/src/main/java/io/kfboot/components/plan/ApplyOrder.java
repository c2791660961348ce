package io.kfboot.components.plan;

import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Scopes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The order objects of one component are applied in, so that nothing is sent before what it needs:
 * CRDs (then Established), Namespaces, other cluster-scoped objects (RBAC first), namespaced
 * built-ins, webhook configurations (after their Service has endpoints), and custom resources last,
 * once their CRDs are Established and the webhooks that validate them answer. Render order is kept
 * inside a phase.
 */
public final class ApplyOrder {
  /** Phases, in order. */
  public enum Phase {
    CRDS,
    NAMESPACES,
    CLUSTER_RBAC,
    CLUSTER_SCOPED,
    NAMESPACED,
    WEBHOOKS,
    CUSTOM_RESOURCES
  }

  /** The order install applies the phases in. */
  public static final List<Phase> INSTALL = List.of(Phase.values());

  /**
   * The order uninstall deletes them in: install's, reversed. Custom resources go first, while
   * their controllers still run and can clear their finalizers; webhooks next, so that they block
   * no other delete; Namespaces are awaited until gone; CRDs go last.
   */
  public static final List<Phase> UNINSTALL = reversed(INSTALL);

  private ApplyOrder() {}

  private static List<Phase> reversed(List<Phase> phases) {
    List<Phase> out = new ArrayList<>(phases);
    Collections.reverse(out);
    return List.copyOf(out);
  }

  public static Phase phaseOf(K8sObject o, Scopes scopes) {
    if (o.isCrd()) return Phase.CRDS;
    if (o.isNamespace()) return Phase.NAMESPACES;
    if (o.isWebhookConfiguration()) return Phase.WEBHOOKS;
    if (!Scopes.isBuiltInGroup(o.group())) return Phase.CUSTOM_RESOURCES;
    if (o.group().equals("rbac.authorization.k8s.io") && scopes.isClusterScoped(o))
      return Phase.CLUSTER_RBAC;
    if (scopes.isClusterScoped(o)) return Phase.CLUSTER_SCOPED;
    return Phase.NAMESPACED;
  }

  /**
   * The objects of each phase, render order kept inside a phase; phases without objects are absent.
   */
  public static Map<Phase, List<K8sObject>> byPhase(List<K8sObject> objects, Scopes scopes) {
    Map<Phase, List<K8sObject>> out = new EnumMap<>(Phase.class);
    for (K8sObject o : objects) {
      out.computeIfAbsent(phaseOf(o, scopes), p -> new ArrayList<>()).add(o);
    }
    return out;
  }

  /** A stable sort of {@code objects} by phase. */
  public static List<K8sObject> sort(List<K8sObject> objects, Scopes scopes) {
    return objects.stream().sorted(Comparator.comparing(o -> phaseOf(o, scopes))).toList();
  }
}
