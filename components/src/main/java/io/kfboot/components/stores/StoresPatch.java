package io.kfboot.components.stores;

import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    return patched;
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
