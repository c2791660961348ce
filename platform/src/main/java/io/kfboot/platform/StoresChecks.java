package io.kfboot.platform;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.check.CheckResult;
import io.kfboot.components.stores.StoresConfig;
import io.kfboot.storage.stores.DatabaseCheck;
import io.kfboot.storage.stores.ObjectStoreCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kfboot stores check}, and the same as a preflight of install and up: each external store
 * of the settings ({@code pipelines:}, {@code katib:}) tried as Pipelines and Katib will use it,
 * before anything is applied. {@code --no-store-check} skips it where only the cluster reaches the
 * stores.
 */
public final class StoresChecks {
  static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final PlatformSettings settings;
  private final PlatformListener listener;

  public StoresChecks(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /** Whether the settings name any external store. */
  public boolean anyExternal() {
    return settings.stores().anyExternal();
  }

  /** Every external store's result: Pipelines' database, its object store, Katib's database. */
  public List<CheckResult> run() {
    StoreSecrets.Resolved resolved;
    if (StoreSecrets.needCluster(settings.stores())) {
      // a secretRef's password is on the cluster: read it there, as the clients will
      ClusterConnection connection = new ClusterConnection(settings);
      connection.requireKubeconfig();
      try (KubernetesClient client = connection.connect()) {
        resolved = StoreSecrets.resolve(settings.stores(), settings.env(), client);
      }
    } else {
      resolved = StoreSecrets.resolve(settings.stores(), settings.env(), null);
    }
    StoresConfig stores = resolved.stores();
    SecretValues secrets = resolved.secrets();
    List<CheckResult> results = new ArrayList<>();
    stores
        .pipelinesDb()
        .ifPresent(
            db -> {
              listener.report("stores check: " + db.where() + " (mysql)");
              // MLMD, Pipelines' metadata server, speaks only mysql_native_password
              results.add(new DatabaseCheck(TIMEOUT).check(db, secrets, true));
            });
    stores
        .pipelinesStore()
        .ifPresent(
            s -> {
              listener.report("stores check: " + s.where() + " (s3)");
              results.add(new ObjectStoreCheck().check(s, secrets));
            });
    stores
        .katibDb()
        .ifPresent(
            db -> {
              listener.report("stores check: " + db.where() + " (mysql)");
              results.add(new DatabaseCheck(TIMEOUT).check(db, secrets, false));
            });
    return results;
  }

  /**
   * The check before an install: nothing when skipped or with in-cluster stores only; otherwise the
   * findings reported, and every failure thrown as one, before anything is applied.
   */
  public void preflight() {
    if (!settings.storeCheck() || !settings.stores().anyExternal()) {
      return;
    }
    List<CheckResult> results = run();
    Preflights.report(results, listener);
    requirePassed(results);
  }

  public static void requirePassed(List<CheckResult> results) {
    Preflights.requirePassed(results, "the stores check", "store", "kfboot stores check");
  }
}
