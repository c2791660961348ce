package io.kfboot.storage;

import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.plan.ClusterCheck;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Exactly one default StorageClass, and the one kfboot chose. Kubeflow's claims (MySQL, MinIO,
 * Katib, notebook workspaces) name no class; with no default they stay Pending, and with two the
 * API server picks the newest, so which backs them depends on install order. Other defaults are
 * un-defaulted (their annotation set to "false", nothing else touched); in {@code existing} mode
 * kfboot changes nothing and requires that the cluster already has exactly one.
 */
public final class DefaultClassCheck implements ClusterCheck {
  private final String wanted;

  /**
   * @param wanted the class that must be the only default, or null to accept any single one
   */
  public DefaultClassCheck(String wanted) {
    this.wanted = wanted;
  }

  @Override
  public String description() {
    return wanted == null
        ? "exactly one default StorageClass"
        : "StorageClass " + wanted + " is the only default";
  }

  static boolean isDefault(StorageClass sc) {
    Map<String, String> a = sc.getMetadata().getAnnotations();
    return a != null && "true".equals(a.get(Provisioners.DEFAULT_CLASS_ANNOTATION));
  }

  static List<String> defaults(KubernetesClient client) {
    return client.storage().v1().storageClasses().list().getItems().stream()
        .filter(DefaultClassCheck::isDefault)
        .map(sc -> sc.getMetadata().getName())
        .sorted()
        .toList();
  }

  @Override
  public Condition start(KubernetesClient client) {
    List<String> defaults = defaults(client);
    if (wanted == null) {
      if (defaults.size() != 1) {
        throw new VerifyException(
            "storage.mode existing needs exactly one default StorageClass; the cluster has "
                + (defaults.isEmpty()
                    ? "none"
                    : defaults.size() + ": " + String.join(", ", defaults)),
            "mark the class Kubeflow should use: kubectl annotate storageclass NAME "
                + Provisioners.DEFAULT_CLASS_ANNOTATION
                + "=true --overwrite (and =false on the others); or choose --storage local-path or"
                + " nfs",
            "");
      }
      return condition(client);
    }
    for (String other : defaults) {
      if (!other.equals(wanted)) {
        client
            .storage()
            .v1()
            .storageClasses()
            .withName(other)
            .edit(
                sc -> {
                  sc.getMetadata()
                      .getAnnotations()
                      .put(Provisioners.DEFAULT_CLASS_ANNOTATION, "false");
                  return sc;
                });
      }
    }
    if (!defaults.contains(wanted)) {
      // k3s' bundled class, un-defaulted by someone earlier
      client
          .storage()
          .v1()
          .storageClasses()
          .withName(wanted)
          .edit(
              sc -> {
                if (sc.getMetadata().getAnnotations() == null) {
                  sc.getMetadata().setAnnotations(new HashMap<>());
                }
                sc.getMetadata()
                    .getAnnotations()
                    .put(Provisioners.DEFAULT_CLASS_ANNOTATION, "true");
                return sc;
              });
    }
    return condition(client);
  }

  private Condition condition(KubernetesClient client) {
    return Condition.of(
        description(),
        List.of(),
        () -> {
          List<String> defaults = defaults(client);
          boolean ok = defaults.size() == 1 && (wanted == null || defaults.get(0).equals(wanted));
          return new ConditionResult(
              ok,
              "default classes: " + (defaults.isEmpty() ? "none" : String.join(", ", defaults)));
        });
  }
}
