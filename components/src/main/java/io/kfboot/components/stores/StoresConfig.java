package io.kfboot.components.stores;

import io.kfboot.components.auth.SecretRef;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The inventory's (or the stack's) {@code pipelines:} and {@code katib:} stores: each external, or
 * (null) the release's own in-cluster MySQL and MinIO/SeaweedFS. See docs/stores.md.
 *
 * @param pipelinesDatabase Pipelines' MySQL (its pipelines, cache and metadata databases)
 * @param pipelinesObjectStore Pipelines' artifacts
 * @param katibDatabase Katib's MySQL
 */
public record StoresConfig(
    Database pipelinesDatabase, ObjectStore pipelinesObjectStore, Database katibDatabase) {

  public static final StoresConfig DEFAULTS = new StoresConfig(null, null, null);

  /** The database names Pipelines uses (pipeline-install-config: pipelineDb, cacheDb, mlmdDb). */
  public static final Map<String, String> PIPELINES_DATABASES =
      Map.of("pipelines", "mlpipeline", "cache", "cachedb", "metadata", "metadb");

  /** Katib's database name (katib-mysql-secrets: KATIB_MYSQL_DB_DATABASE). */
  public static final Map<String, String> KATIB_DATABASES = Map.of("katib", "katib");

  /**
   * An external MySQL (or MariaDB) server.
   *
   * @param where its place in the inventory, for messages ("pipelines.database.external")
   * @param caFile with {@code tls}, the PEM CA the server's certificate is verified against; null
   *     to encrypt without verifying
   * @param password where kfboot reads the password ({@code passwordRef}); with {@code
   *     passwordSecret}, null until kfboot has read that Secret for its own connections
   * @param passwordSecret a Secret in kubeflow that the site keeps ({@code secretRef}): kfboot
   *     points the clients at it and reads it from the cluster for its own checks; null for {@code
   *     passwordRef}
   * @param databases each role's database name (pipelines, cache, metadata; or katib)
   */
  public record Database(
      String where,
      String host,
      int port,
      boolean tls,
      Path caFile,
      String user,
      SecretRef password,
      ClusterSecret passwordSecret,
      Map<String, String> databases) {
    public Database {
      databases = Map.copyOf(databases);
      if (password == null && passwordSecret == null) {
        throw new IllegalArgumentException("a database has a passwordRef or a secretRef");
      }
    }

    /** The inventory field the password comes from, for messages. */
    public String passwordField() {
      return where + (passwordSecret != null ? ".secretRef" : ".passwordRef");
    }

    /** Where the password is kept, for messages (never the value). */
    public String passwordSource() {
      return passwordSecret != null ? passwordSecret.toString() : password.describe();
    }

    /**
     * The same database with {@code ref} to read the password from: the value of its cluster
     * Secret, read by kfboot for its own connections; the Secret stays what the clients read.
     */
    public Database withPassword(SecretRef ref) {
      return new Database(where, host, port, tls, caFile, user, ref, passwordSecret, databases);
    }
  }

  /**
   * A key of a Secret in namespace kubeflow, made and kept by the site (by hand, GitOps or an
   * external-secrets operator); kfboot never writes it.
   */
  public record ClusterSecret(String name, String key) {
    @Override
    public String toString() {
      return "Secret kubeflow/" + name + " key " + key;
    }
  }

  /**
   * An external S3-compatible store.
   *
   * @param endpoint the S3 API's URL; https unless the store serves plain http
   * @param pathStyle bucket in the path (MinIO, Ceph, s3proxy) rather than in the host name (AWS)
   */
  public record ObjectStore(
      String where,
      URI endpoint,
      String region,
      String bucket,
      boolean pathStyle,
      SecretRef accessKey,
      SecretRef secretKey) {
    public boolean tls() {
      return "https".equals(endpoint.getScheme());
    }

    /** The endpoint's port, or the scheme's default. */
    public int port() {
      return endpoint.getPort() > 0 ? endpoint.getPort() : tls() ? 443 : 80;
    }
  }

  public Optional<Database> pipelinesDb() {
    return Optional.ofNullable(pipelinesDatabase);
  }

  public Optional<ObjectStore> pipelinesStore() {
    return Optional.ofNullable(pipelinesObjectStore);
  }

  public Optional<Database> katibDb() {
    return Optional.ofNullable(katibDatabase);
  }

  /** Whether any store is external. */
  public boolean anyExternal() {
    return pipelinesDatabase != null || pipelinesObjectStore != null || katibDatabase != null;
  }
}
