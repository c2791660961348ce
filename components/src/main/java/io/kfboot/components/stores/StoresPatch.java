package io.kfboot.components.stores;

import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlanObjects;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.core.Digests;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The stores' patches together ({@link DatabasePatch}, {@link ObjectStorePatch}), then the proof
 * that they were complete: where a store is external, no object of the plan still names the
 * in-cluster service it replaced. A reference left over (an env, a ConfigMap's code) would send
 * that consumer to a service that is no longer there, so it is an error naming the objects.
 */
public final class StoresPatch {
  /** Pipelines' in-cluster MySQL by its Service's DNS name (not katib-mysql.kubeflow). */
  static final Pattern PIPELINES_MYSQL = Pattern.compile("(?<![\\w-])mysql\\.kubeflow");

  static final Pattern KATIB_MYSQL = Pattern.compile("(?<![\\w-])katib-mysql\\.kubeflow");

  /** The in-cluster object stores of every release: MinIO, then SeaweedFS (v1.11.0, 26.03). */
  static final Pattern OBJECT_STORE =
      Pattern.compile("(?<![\\w-])(minio-service|seaweedfs\\.kubeflow)");

  private StoresPatch() {}

  public static InstallPlan apply(InstallPlan plan, StoresConfig stores, SecretValues secrets) {
    InstallPlan patched =
        ObjectStorePatch.apply(DatabasePatch.apply(plan, stores, secrets), stores, secrets);
    Map<String, Pattern> gone = new LinkedHashMap<>();
    if (stores.pipelinesDb().isPresent() && planned(patched, "pipeline-install-config")) {
      gone.put(stores.pipelinesDb().get().where(), PIPELINES_MYSQL);
    }
    if (stores.katibDb().isPresent() && planned(patched, "katib-mysql-secrets")) {
      gone.put(stores.katibDb().get().where(), KATIB_MYSQL);
    }
    if (stores.pipelinesStore().isPresent() && planned(patched, "pipeline-install-config")) {
      gone.put(stores.pipelinesStore().get().where(), OBJECT_STORE);
    }
    requireNoReferences(patched, gone);
    return stores.anyExternal() ? rollOnChange(patched) : patched;
  }

  public static final String CHECKSUM_ANNOTATION = "kfboot.io/stores-checksum";

  /**
   * The Deployments that read a store's address or account, and the ConfigMaps and Secrets they
   * read it from. Their env takes keys of these objects, which a pod reads only when it starts.
   */
  static final Map<String, List<String>> CONSUMERS =
      Map.of(
          "ml-pipeline",
          List.of("pipeline-install-config", "mysql-secret", ObjectStorePatch.SECRET),
          "cache-server",
          List.of("pipeline-install-config", "mysql-secret"),
          "metadata-grpc-deployment",
          List.of("pipeline-install-config", "mysql-secret"),
          "ml-pipeline-ui",
          List.of(ObjectStorePatch.SECRET),
          "kubeflow-pipelines-profile-controller",
          List.of("pipeline-install-config", ObjectStorePatch.SECRET),
          "katib-db-manager",
          List.of("katib-mysql-secrets"));

  /**
   * A checksum of each consumer's sources on its pod template, so that pointing a store elsewhere
   * (or a new password) rolls the pods that read it: switching stores on an installed cluster
   * changes only those ConfigMaps and Secrets for some consumers.
   */
  static InstallPlan rollOnChange(InstallPlan plan) {
    PlanObjects objects = new PlanObjects(plan);
    CONSUMERS.forEach(
        (name, sources) -> {
          K8sObject d = objects.find("Deployment", "kubeflow", name);
          if (d == null) {
            return;
          }
          StringBuilder material = new StringBuilder();
          for (String source : sources) {
            for (String kind : List.of("ConfigMap", "Secret")) {
              K8sObject o = objects.find(kind, "kubeflow", source);
              if (o != null) {
                material.append(o.key()).append('\n');
                material.append(new TreeMap<>(Trees.map(o.body().get("data")))).append('\n');
                material.append(new TreeMap<>(Trees.map(o.body().get("stringData"))));
              }
            }
          }
          Map<String, Object> body = Trees.deepCopy(d.body());
          Map<String, Object> template = Trees.child(Trees.child(body, "spec"), "template");
          Trees.child(Trees.child(template, "metadata"), "annotations")
              .put(CHECKSUM_ANNOTATION, Digests.sha256Hex(material.toString()));
          objects.replace(d, Trees.withBody(d, body));
        });
    return objects.plan();
  }

  /**
   * Fails naming each object whose body still matches a replaced store's pattern.
   *
   * @param gone each external store's place in the inventory and the in-cluster name it replaced
   */
  static void requireNoReferences(InstallPlan plan, Map<String, Pattern> gone) {
    List<String> left = new ArrayList<>();
    for (PlannedComponent c : plan.components()) {
      for (K8sObject o : c.objects()) {
        String text = String.valueOf(o.body());
        gone.forEach(
            (where, pattern) -> {
              var m = pattern.matcher(text);
              if (m.find()) {
                left.add(
                    o.kind()
                        + " "
                        + o.namespace()
                        + "/"
                        + o.name()
                        + " ("
                        + m.group()
                        + ", "
                        + where
                        + ")");
              }
            });
      }
    }
    if (!left.isEmpty()) {
      throw new KfbootException(
          "the plan still points at in-cluster stores that the external ones replace: "
              + String.join("; ", left),
          "please report it with the release tag; keep the in-cluster stores meanwhile",
          ExitCategory.INTERNAL);
    }
  }

  private static boolean planned(InstallPlan plan, String name) {
    return plan.components().stream()
        .flatMap(c -> c.objects().stream())
        .anyMatch(o -> "kubeflow".equals(o.namespace()) && o.name().equals(name));
  }
}
