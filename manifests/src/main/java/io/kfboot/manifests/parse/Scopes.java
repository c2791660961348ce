package io.kfboot.manifests.parse;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * Tells cluster-scoped kinds from namespaced ones without an API server: the built-in
 * cluster-scoped kinds, plus the kinds that the rendered CRDs declare with {@code scope: Cluster}.
 */
public final class Scopes {
  /** Built-in cluster-scoped kinds as "kind.group" (core group empty). */
  private static final Set<String> BUILT_IN_CLUSTER_SCOPED =
      Set.of(
          "Namespace.",
          "Node.",
          "PersistentVolume.",
          "ComponentStatus.",
          "CustomResourceDefinition.apiextensions.k8s.io",
          "APIService.apiregistration.k8s.io",
          "ClusterRole.rbac.authorization.k8s.io",
          "ClusterRoleBinding.rbac.authorization.k8s.io",
          "MutatingWebhookConfiguration.admissionregistration.k8s.io",
          "ValidatingWebhookConfiguration.admissionregistration.k8s.io",
          "ValidatingAdmissionPolicy.admissionregistration.k8s.io",
          "ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io",
          "StorageClass.storage.k8s.io",
          "CSIDriver.storage.k8s.io",
          "CSINode.storage.k8s.io",
          "VolumeAttachment.storage.k8s.io",
          "PriorityClass.scheduling.k8s.io",
          "RuntimeClass.node.k8s.io",
          "IngressClass.networking.k8s.io",
          "PodSecurityPolicy.policy",
          "FlowSchema.flowcontrol.apiserver.k8s.io",
          "PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io",
          "CertificateSigningRequest.certificates.k8s.io");

  private final Set<String> clusterScopedCustomKinds = new HashSet<>();

  /** Learns the scopes of the CRDs among {@code objects}. */
  public Scopes(Collection<K8sObject> objects) {
    for (K8sObject o : objects) {
      if (o.definesClusterScopedKind()) {
        clusterScopedCustomKinds.add(o.definedKind());
      }
    }
  }

  public boolean isClusterScoped(K8sObject o) {
    String kg = o.kindDotGroup();
    return BUILT_IN_CLUSTER_SCOPED.contains(kg) || clusterScopedCustomKinds.contains(kg);
  }

  /** API groups served by a plain API server; anything else is a custom resource. */
  private static final Set<String> BUILT_IN_GROUPS =
      Set.of(
          "",
          "apps",
          "batch",
          "policy",
          "autoscaling",
          "admissionregistration.k8s.io",
          "apiextensions.k8s.io",
          "apiregistration.k8s.io",
          "authentication.k8s.io",
          "authorization.k8s.io",
          "certificates.k8s.io",
          "coordination.k8s.io",
          "discovery.k8s.io",
          "events.k8s.io",
          "flowcontrol.apiserver.k8s.io",
          "internal.apiserver.k8s.io",
          "networking.k8s.io",
          "node.k8s.io",
          "rbac.authorization.k8s.io",
          "resource.k8s.io",
          "scheduling.k8s.io",
          "storage.k8s.io");

  /** Whether the group is served by a plain API server, so objects of it need no CRD. */
  public static boolean isBuiltInGroup(String group) {
    return BUILT_IN_GROUPS.contains(group);
  }
}
