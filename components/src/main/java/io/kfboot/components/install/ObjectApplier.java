package io.kfboot.components.install;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kfboot.components.plan.OwnerLabel;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.verify.api.TransientErrors;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies one rendered object with server-side apply (field manager {@value #FIELD_MANAGER},
 * forcing conflicts, as upstream's {@code kubectl apply --server-side --force-conflicts} does).
 * Client-side apply is never used: several upstream CRDs are larger than the 256 KiB last-applied
 * annotation allows. An object whose live state already holds every field kfboot sets is left
 * alone, so a rerun sends no writes at all.
 */
public final class ObjectApplier {
  static final String FIELD_MANAGER = "kfboot";

  private final KubernetesClient client;
  private final RetryPolicy retry;
  private final RetryPolicy.Listener retryListener;
  private final Map<String, K8sObject> crdsByKind;

  /**
   * @param crdsByKind the plan's CRDs by the "kind.group" they define: their custom resources are
   *     addressed from the CRD itself rather than from API discovery, which a client may have read
   *     (and cached) before the CRD existed
   */
  public ObjectApplier(
      KubernetesClient client,
      RetryPolicy retry,
      RetryPolicy.Listener retryListener,
      Map<String, K8sObject> crdsByKind) {
    this.client = client;
    this.retry = retry;
    this.retryListener = retryListener;
    this.crdsByKind = Map.copyOf(crdsByKind);
  }

  /** The CRDs among {@code objects} by the "kind.group" they define. */
  static Map<String, K8sObject> crdsByKind(List<K8sObject> objects) {
    Map<String, K8sObject> crds = new HashMap<>();
    objects.stream().filter(K8sObject::isCrd).forEach(crd -> crds.put(crd.definedKind(), crd));
    return crds;
  }

  /** The name of the CRD of a custom resource, when the plan holds that CRD. */
  String crdOf(K8sObject customResource) {
    K8sObject crd = crdsByKind.get(customResource.kindDotGroup());
    return crd == null ? null : crd.name();
  }

  private Resource<GenericKubernetesResource> resource(
      K8sObject object, GenericKubernetesResource desired) {
    String plural;
    boolean namespaced;
    K8sObject crd = crdsByKind.get(object.kindDotGroup());
    if (crd != null) {
      Map<?, ?> spec = (Map<?, ?>) crd.body().get("spec");
      plural = String.valueOf(((Map<?, ?>) spec.get("names")).get("plural"));
      namespaced = !"Cluster".equals(spec.get("scope"));
    } else if (Scopes.isBuiltInGroup(object.group())) {
      return client.resource(desired);
    } else {
      // A custom resource whose CRD another install put on the cluster: read the CRD from there.
      CustomResourceDefinition live = liveCrds().get(object.kindDotGroup());
      if (live == null) {
        return client.resource(desired);
      }
      plural = live.getSpec().getNames().getPlural();
      namespaced = !"Cluster".equals(live.getSpec().getScope());
    }
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(object.group())
            .withVersion(object.version())
            .withKind(object.kind())
            .withPlural(plural)
            .withNamespaced(namespaced)
            .build();
    var operation = client.genericKubernetesResources(context);
    return namespaced
        ? operation.inNamespace(object.namespace()).resource(desired)
        : operation.resource(desired);
  }

  /**
   * @param component the component applying it: its id goes on the object as the {@link OwnerLabel}
   */
  public ApplyOutcome apply(K8sObject object, boolean clusterScoped, String component) {
    Map<String, Object> body = OwnerLabel.apply(body(object, clusterScoped), component);
    boolean[] sent = {false};
    boolean[] existedBefore = {false};
    return retry.run(
        "apply " + object.key(),
        () -> {
          GenericKubernetesResource desired =
              client
                  .getKubernetesSerialization()
                  .convertValue(body, GenericKubernetesResource.class);
          GenericKubernetesResource live;
          try {
            live = resource(object, desired).get();
          } catch (KubernetesClientException e) {
            throw refused(object, e);
          }
          if (!sent[0]) {
            existedBefore[0] = live != null;
          }
          if (live != null
              && Subset.holds(
                  client.getKubernetesSerialization().convertValue(live, Map.class), body)) {
            // An earlier attempt may have gone through before its answer was lost.
            return sent[0]
                ? (existedBefore[0] ? ApplyOutcome.CONFIGURED : ApplyOutcome.CREATED)
                : ApplyOutcome.UNCHANGED;
          }
          sent[0] = true;
          try {
            resource(object, desired)
                .fieldManager(FIELD_MANAGER)
                .forceConflicts()
                .serverSideApply();
          } catch (KubernetesClientException e) {
            throw refused(object, e);
          }
          return existedBefore[0] ? ApplyOutcome.CONFIGURED : ApplyOutcome.CREATED;
        },
        retryListener);
  }

  private volatile Map<String, CustomResourceDefinition> liveCrds;

  private Map<String, CustomResourceDefinition> liveCrds() {
    Map<String, CustomResourceDefinition> m = liveCrds;
    if (m == null) {
      m = new HashMap<>();
      for (CustomResourceDefinition crd :
          client.apiextensions().v1().customResourceDefinitions().list().getItems()) {
        m.put(crd.getSpec().getNames().getKind() + "." + crd.getSpec().getGroup(), crd);
      }
      liveCrds = m;
    }
    return m;
  }

  /** Whether the object is on the cluster. */
  boolean exists(K8sObject object, boolean clusterScoped) {
    Map<String, Object> body = body(object, clusterScoped);
    return retry.run(
        "read " + object.key(),
        () -> {
          GenericKubernetesResource target =
              client
                  .getKubernetesSerialization()
                  .convertValue(body, GenericKubernetesResource.class);
          try {
            return resource(object, target).get() != null;
          } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
              return false;
            }
            throw refused(object, e);
          }
        },
        retryListener);
  }

  /** Deletes one object; true if it was there. Missing objects are fine (a rerun of uninstall). */
  boolean delete(K8sObject object, boolean clusterScoped) {
    Map<String, Object> body = body(object, clusterScoped);
    return retry.run(
        "delete " + object.key(),
        () -> {
          GenericKubernetesResource target =
              client
                  .getKubernetesSerialization()
                  .convertValue(body, GenericKubernetesResource.class);
          try {
            return !resource(object, target).delete().isEmpty();
          } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
              return false;
            }
            throw refused(object, e);
          }
        },
        retryListener);
  }

  private Map<String, Object> body(K8sObject object, boolean clusterScoped) {
    Map<String, Object> body = new LinkedHashMap<>(object.body());
    // Some upstream CRDs carry an empty kubebuilder status; the API server ignores status sent with
    // the object, and comparing it with the live status would make every rerun look like a change.
    body.remove("status");
    if (clusterScoped
        && body.get("metadata") instanceof Map<?, ?> m
        && m.containsKey("namespace")) {
      // kustomize's namespace transformer stamps some cluster-scoped kinds; the API ignores it but
      // the request path must not carry it.
      Map<String, Object> meta = new LinkedHashMap<>();
      m.forEach((k, v) -> meta.put(String.valueOf(k), v));
      meta.remove("namespace");
      body.put("metadata", meta);
    }
    if (!clusterScoped
        && object.namespace() == null
        && body.get("metadata") instanceof Map<?, ?> m) {
      // As kubectl does: a namespaced object without a namespace (upstream's user-namespace
      // ConfigMap) goes to the kubeconfig context's namespace, else "default".
      Map<String, Object> meta = new LinkedHashMap<>();
      m.forEach((k, v) -> meta.put(String.valueOf(k), v));
      meta.put("namespace", AppliedInventory.defaultNamespace(client));
      body.put("metadata", meta);
    }
    return body;
  }

  /** Transient failures pass through for the retry; a real refusal is named with its object. */
  private static RuntimeException refused(K8sObject object, KubernetesClientException e) {
    if (TransientErrors.isTransient(e)) {
      return e;
    }
    String reason =
        e.getStatus() != null && e.getStatus().getMessage() != null
            ? e.getStatus().getMessage()
            : e.getMessage();
    return new InstallException(
        "the API server refused " + object.key() + " (HTTP " + e.getCode() + "): " + reason,
        "check that the cluster's Kubernetes version supports this object and that the kubeconfig"
            + " user may create it (cluster-admin)",
        "",
        false,
        e);
  }
}
