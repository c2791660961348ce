package io.kfboot.manifests.parse;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One rendered Kubernetes object, in render order.
 *
 * @param apiVersion e.g. {@code apps/v1}
 * @param kind e.g. {@code Deployment}
 * @param namespace null when the manifest sets none
 * @param name {@code metadata.name}
 * @param labels {@code metadata.labels}, never null
 * @param body the whole document as SnakeYAML read it (maps, lists, strings, numbers, booleans)
 */
public record K8sObject(
    String apiVersion,
    String kind,
    String namespace,
    String name,
    Map<String, String> labels,
    Map<String, Object> body) {

  public K8sObject {
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /** An object kfboot builds itself (not rendered by kustomize), read from its body. */
  @SuppressWarnings("unchecked")
  public static K8sObject of(Map<String, Object> body) {
    Map<String, Object> meta = (Map<String, Object>) body.get("metadata");
    Map<String, String> labels = new LinkedHashMap<>();
    if (meta.get("labels") instanceof Map<?, ?> l) {
      l.forEach((k, v) -> labels.put(String.valueOf(k), String.valueOf(v)));
    }
    return new K8sObject(
        (String) body.get("apiVersion"),
        (String) body.get("kind"),
        (String) meta.get("namespace"),
        (String) meta.get("name"),
        labels,
        body);
  }

  /**
   * An ordered map from keys and values in turn: the bodies of objects kfboot builds read like
   * YAML.
   */
  public static Map<String, Object> map(Object... keysAndValues) {
    if (keysAndValues.length % 2 != 0) {
      throw new IllegalArgumentException(
          "keys and values come in pairs, got " + keysAndValues.length + " items");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  public String group() {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? "" : apiVersion.substring(0, slash);
  }

  public String version() {
    int slash = apiVersion.indexOf('/');
    return slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
  }

  public ObjectKey key() {
    return new ObjectKey(group(), kind, namespace, name);
  }

  public boolean isCrd() {
    return kind.equals("CustomResourceDefinition") && group().equals("apiextensions.k8s.io");
  }

  public boolean isNamespace() {
    return kind.equals("Namespace") && group().isEmpty();
  }

  public boolean isWebhookConfiguration() {
    return group().equals("admissionregistration.k8s.io")
        && (kind.equals("MutatingWebhookConfiguration")
            || kind.equals("ValidatingWebhookConfiguration"));
  }

  /** For a CRD: the group and kind it defines, as "kind.group". Null otherwise. */
  public String definedKind() {
    if (!isCrd()) {
      return null;
    }
    Map<String, Object> spec = map(body.get("spec"));
    Map<String, Object> names = map(spec.get("names"));
    return names.get("kind") + "." + spec.get("group");
  }

  /** For a CRD: whether it defines a cluster-scoped kind. */
  public boolean definesClusterScopedKind() {
    return isCrd() && "Cluster".equals(map(body.get("spec")).get("scope"));
  }

  /** "kind.group" of this object, to match against {@link #definedKind()}. */
  public String kindDotGroup() {
    return kind + "." + group();
  }

  /** The services a webhook configuration calls, as "namespace/name". */
  public List<String> webhookServices() {
    if (!isWebhookConfiguration()) {
      return List.of();
    }
    Object webhooks = body.get("webhooks");
    if (!(webhooks instanceof List<?> list)) {
      return List.of();
    }
    return list.stream()
        .map(w -> map(map(map(w).get("clientConfig")).get("service")))
        .filter(s -> s.get("name") != null)
        .map(s -> s.get("namespace") + "/" + s.get("name"))
        .distinct()
        .toList();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @Override
  public String toString() {
    return key().toString();
  }
}
