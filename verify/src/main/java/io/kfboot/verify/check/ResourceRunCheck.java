package io.kfboot.verify.check;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A check that runs something through a Kubeflow controller: it creates one custom resource
 * (labelled {@value #LABEL}), waits until the controller reports the wanted condition, fails at
 * once on the failure condition, and deletes what it created either way. The PyTorchJob, the Katib
 * Experiment, the Notebook and the InferenceService checks are this, with their own objects.
 */
public final class ResourceRunCheck implements VerifyCheck {
  /** What verify creates carries this label, for cleanup by hand if kfboot is stopped mid-check. */
  public static final String LABEL = "kfboot.io/verify";

  private final String id;
  private final String description;
  private final List<String> after;
  private final Duration timeout;
  private final Map<String, Object> body;
  private final String plural;
  private final String successCondition;
  private final String failureCondition;
  private final List<Map<String, Object>> alongside;
  private final AfterReady afterReady;

  /**
   * What a check does with the resource once it is ready, before it is removed (a predict call).
   */
  @FunctionalInterface
  public interface AfterReady {
    /**
     * @return what was seen, for the report
     */
    String use(KubernetesClient client, GenericKubernetesResource ready);
  }

  /**
   * @param body the object to create; namespace and name in its metadata
   * @param plural its resource name, e.g. "pytorchjobs"
   * @param successCondition the status condition type that must be True ("Succeeded", "Ready")
   * @param failureCondition the condition type that ends the check as failed, or null
   */
  public ResourceRunCheck(
      String id,
      String description,
      List<String> after,
      Duration timeout,
      Map<String, Object> body,
      String plural,
      String successCondition,
      String failureCondition) {
    this(
        id,
        description,
        after,
        timeout,
        body,
        plural,
        successCondition,
        failureCondition,
        List.of(),
        null);
  }

  /**
   * @param alongside core objects made before it and removed after it (a notebook's claim)
   * @param afterReady run once the condition holds, before cleanup; null for none
   */
  public ResourceRunCheck(
      String id,
      String description,
      List<String> after,
      Duration timeout,
      Map<String, Object> body,
      String plural,
      String successCondition,
      String failureCondition,
      List<Map<String, Object>> alongside,
      AfterReady afterReady) {
    this.afterReady = afterReady;
    this.alongside = List.copyOf(alongside);
    this.id = id;
    this.description = description;
    this.after = List.copyOf(after);
    this.timeout = timeout;
    this.body = body;
    this.plural = plural;
    this.successCondition = successCondition;
    this.failureCondition = failureCondition;
  }

  /** What the check makes, in the order it makes them: what goes alongside first, then the run. */
  public List<Map<String, Object>> objects() {
    List<Map<String, Object>> out = new ArrayList<>(alongside);
    out.add(body);
    return List.copyOf(out);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String description() {
    return description;
  }

  @Override
  public List<String> after() {
    return after;
  }

  @Override
  public Duration timeout() {
    return timeout;
  }

  /**
   * Whether the cluster serves this kind (its component is installed); otherwise the check is not
   * offered.
   */
  public static boolean served(KubernetesClient client, String plural, String group) {
    CustomResourceDefinition crd =
        client
            .apiextensions()
            .v1()
            .customResourceDefinitions()
            .withName(plural + "." + group)
            .get();
    return crd != null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public String run(KubernetesClient client, Waiter waiter, Duration limit) {
    GenericKubernetesResource resource =
        Serialization.unmarshal(
            Serialization.asJson(withLabel(body, id)), GenericKubernetesResource.class);
    String ns = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    String apiVersion = resource.getApiVersion();
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(apiVersion.substring(0, apiVersion.indexOf('/')))
            .withVersion(apiVersion.substring(apiVersion.indexOf('/') + 1))
            .withKind(resource.getKind())
            .withPlural(plural)
            .withNamespaced(true)
            .build();
    var handle = client.genericKubernetesResources(context).inNamespace(ns).withName(name);
    if (client.namespaces().withName(ns).get() == null) {
      throw new VerifyException(
          "namespace "
              + ns
              + " does not exist, so "
              + resource.getKind()
              + " "
              + name
              + " cannot run there",
          "create the user's profile (the user-namespace component makes"
              + " kubeflow-user-example-com), or pass --namespace",
          "");
    }
    handle.delete(); // what an interrupted run left
    handle.waitUntilCondition(r -> r == null, 60, TimeUnit.SECONDS);
    List<HasMetadata> extra =
        alongside.stream()
            .map(
                b ->
                    (HasMetadata)
                        Serialization.unmarshal(
                            Serialization.asJson(withLabel(b, id)), KubernetesResource.class))
            .toList();
    for (var o : extra) {
      client.resource(o).inNamespace(ns).delete();
      client.resource(o).inNamespace(ns).create();
    }
    client.genericKubernetesResources(context).inNamespace(ns).resource(resource).create();
    try {
      Condition done =
          Condition.of(
              resource.getKind() + " " + ns + "/" + name + " " + successCondition,
              List.of(ns),
              () -> {
                GenericKubernetesResource now = handle.get();
                Map<String, String> conditions = conditions(now);
                if (failureCondition != null && "True".equals(conditions.get(failureCondition))) {
                  throw new VerifyException(
                      resource.getKind()
                          + " "
                          + ns
                          + "/"
                          + name
                          + " "
                          + failureCondition
                          + ": "
                          + message(now, failureCondition),
                      "look at its pods' logs (kubectl -n "
                          + ns
                          + " logs -l "
                          + LABEL
                          + "="
                          + id
                          + ") and events",
                      "");
                }
                boolean met = "True".equals(conditions.get(successCondition));
                return new ConditionResult(
                    met, conditions.isEmpty() ? "no status yet" : conditions.toString());
              });
      String seen = waiter.await(done, limit).detail();
      return afterReady == null ? seen : afterReady.use(client, handle.get());
    } finally {
      handle.delete();
      for (var o : extra) {
        client.resource(o).inNamespace(ns).delete();
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> withLabel(Map<String, Object> body, String id) {
    Map<String, Object> copy = new LinkedHashMap<>(body);
    Map<String, Object> meta = new LinkedHashMap<>((Map<String, Object>) body.get("metadata"));
    Map<String, Object> labels =
        meta.get("labels") instanceof Map<?, ?> l
            ? new LinkedHashMap<>((Map<String, Object>) l)
            : new LinkedHashMap<>();
    labels.put(LABEL, id);
    meta.put("labels", labels);
    copy.put("metadata", meta);
    return copy;
  }

  @SuppressWarnings("unchecked")
  static Map<String, String> conditions(GenericKubernetesResource r) {
    Map<String, String> out = new LinkedHashMap<>();
    if (r == null || !(r.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
      return out;
    }
    if (status.get("conditions") instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof Map<?, ?> c) {
          out.put(String.valueOf(c.get("type")), String.valueOf(c.get("status")));
        }
      }
    }
    return out;
  }

  private static String message(GenericKubernetesResource r, String type) {
    if (r != null
        && r.getAdditionalProperties().get("status") instanceof Map<?, ?> status
        && status.get("conditions") instanceof List<?> list) {
      for (Object o : list) {
        if (o instanceof Map<?, ?> c && type.equals(c.get("type"))) {
          return String.valueOf(c.get("message"));
        }
      }
    }
    return "";
  }
}
