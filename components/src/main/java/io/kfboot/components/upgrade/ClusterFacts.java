package io.kfboot.components.upgrade;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kfboot.components.upgrade.KeepRules.Disposition;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** What only the cluster knows when an upgrade is planned. Read-only. */
public final class ClusterFacts {
  /** Profile namespaces carry this label (kubeflow/kubeflow profile-controller). */
  public static final String PROFILE_LABEL = "app.kubernetes.io/part-of";

  private ClusterFacts() {}

  /** For each CRD the new release drops: how many objects of its kind the cluster holds. */
  public static Map<String, Integer> crdObjects(KubernetesClient client, ReleaseDiff diff) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (ReleaseDiff.ComponentChanges c : diff.components()) {
      for (ReleaseDiff.Removal r : c.removed()) {
        if (r.keep().disposition() != Disposition.KEEP_IF_IN_USE) {
          continue;
        }
        String name = r.entry().name();
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().withName(name).get();
        out.put(name, crd == null ? 0 : count(client, crd));
      }
    }
    return out;
  }

  private static int count(KubernetesClient client, CustomResourceDefinition crd) {
    String version =
        crd.getSpec().getVersions().stream()
            .filter(v -> Boolean.TRUE.equals(v.getStorage()))
            .map(CustomResourceDefinitionVersion::getName)
            .findFirst()
            .orElse(crd.getSpec().getVersions().get(0).getName());
    boolean namespaced = !"Cluster".equals(crd.getSpec().getScope());
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(crd.getSpec().getGroup())
            .withVersion(version)
            .withKind(crd.getSpec().getNames().getKind())
            .withPlural(crd.getSpec().getNames().getPlural())
            .withNamespaced(namespaced)
            .build();
    List<GenericKubernetesResource> items =
        namespaced
            ? client.genericKubernetesResources(context).inAnyNamespace().list().getItems()
            : client.genericKubernetesResources(context).list().getItems();
    return items.size();
  }

  public static List<String> profileNamespaces(KubernetesClient client) {
    return client
        .namespaces()
        .withLabel(PROFILE_LABEL, "kubeflow-profile")
        .list()
        .getItems()
        .stream()
        .map(Namespace::getMetadata)
        .map(m -> m.getName())
        .collect(Collectors.toCollection(TreeSet::new))
        .stream()
        .toList();
  }

  /**
   * The first running pod (by name) with the label {@code selector} ("key=value") in {@code
   * namespace}.
   */
  public static Optional<String> runningPod(
      KubernetesClient client, String namespace, String selector) {
    String[] kv = selector.split("=", 2);
    return client.pods().inNamespace(namespace).withLabel(kv[0], kv[1]).list().getItems().stream()
        .filter(p -> p.getStatus() != null && "Running".equals(p.getStatus().getPhase()))
        .map(p -> p.getMetadata().getName())
        .sorted()
        .findFirst();
  }

  /** A Secret's value, from data (base64) or, as upstream's manifests write it, stringData. */
  public static Optional<String> secretValue(Secret s, String key) {
    if (s.getData() != null && s.getData().containsKey(key)) {
      return Optional.of(
          new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8));
    }
    return Optional.ofNullable(s.getStringData() == null ? null : s.getStringData().get(key));
  }
}
