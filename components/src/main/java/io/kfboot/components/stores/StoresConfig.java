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
      Map<String, String> databases) {
    public Database {
      databases = Map.copyOf(databases);
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
