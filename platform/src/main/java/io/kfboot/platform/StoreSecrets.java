package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.auth.SecretRef;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.stores.StoresConfig;
import io.kfboot.components.stores.StoresConfig.ClusterSecret;
import io.kfboot.components.stores.StoresConfig.Database;
import io.kfboot.components.upgrade.ClusterFacts;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The databases' passwords for kfboot's own connections (the stores check, the switch's load): from
 * the references, and for a {@code secretRef} from the site's Secret on the cluster, which the
 * clients read too. A value read from the cluster is held in memory only, under a name of its own,
 * never in the environment of a child process or in a message.
 */
final class StoreSecrets {
  static final String NS = "kubeflow";

  /** The stores with every password readable, and the values to read them with. */
  record Resolved(StoresConfig stores, SecretValues secrets) {}

  private StoreSecrets() {}

  static boolean needCluster(StoresConfig stores) {
    return stores.pipelinesDb().map(d -> d.passwordSecret() != null).orElse(false)
        || stores.katibDb().map(d -> d.passwordSecret() != null).orElse(false);
  }

  /**
   * @param client the cluster, for secretRef; may be null when none is used
   */
  static Resolved resolve(StoresConfig stores, Map<String, String> env, KubernetesClient client) {
    Map<String, String> values = new HashMap<>(env);
    Database pipelines = resolve(stores.pipelinesDatabase(), "pipelines", values, client);
    Database katib = resolve(stores.katibDatabase(), "katib", values, client);
    return new Resolved(
        new StoresConfig(pipelines, stores.pipelinesObjectStore(), katib),
        SecretValues.from(values));
  }

  private static Database resolve(
      Database db, String name, Map<String, String> values, KubernetesClient client) {
    if (db == null || db.passwordSecret() == null || db.password() != null) {
      return db;
    }
    ClusterSecret ref = db.passwordSecret();
    Secret secret = client.secrets().inNamespace(NS).withName(ref.name()).get();
    Optional<String> value =
        secret == null
            ? Optional.empty()
            : ClusterFacts.secretValue(secret, ref.key()).filter(v -> !v.isEmpty());
    if (value.isEmpty()) {
      throw new KfbootException(
          db.passwordField()
              + ": "
              + (secret == null ? "Secret kubeflow/" + ref.name() + " is" : ref + " is")
              + " not on the cluster",
          "make it first: kubectl -n kubeflow create secret generic "
              + ref.name()
              + " --from-literal="
              + ref.key()
              + "=PASSWORD (or through your secrets operator)",
          ExitCategory.INVALID_INPUT);
    }
    // a name no environment has: the value stays in this map
    String key = "kfboot cluster secret " + name;
    values.put(key, value.get());
    return db.withPassword(SecretRef.ofEnv(key));
  }
}
