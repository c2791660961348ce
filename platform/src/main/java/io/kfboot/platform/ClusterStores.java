package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.stores.ObjectStorePatch;
import io.kfboot.components.stores.ObjectStorePatchSet;
import io.kfboot.components.upgrade.ClusterFacts;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Which stores an installed cluster uses, read from where their consumers point, not from what
 * runs: after {@code kfboot stores switch} the in-cluster servers are still there, with old data.
 */
final class ClusterStores {
  static final String NS = "kubeflow";

  /** The in-cluster object stores' addresses in Argo's artifactRepository, by release. */
  static final Set<String> IN_CLUSTER_ENDPOINTS = ObjectStorePatchSet.inClusterEndpoints();

  private ClusterStores() {}

  /** pipeline-install-config's data; empty where Pipelines is not installed. */
  static Map<String, String> pipelinesConfig(KubernetesClient client) {
    ConfigMap c = client.configMaps().inNamespace(NS).withName("pipeline-install-config").get();
    return c == null || c.getData() == null ? Map.of() : c.getData();
  }

  /** Pipelines' in-cluster MySQL by the names its Service has; anything else is external. */
  static boolean inClusterDatabase(String host) {
    return host.equals("mysql") || host.startsWith("mysql.kubeflow");
  }

  /** The external host Pipelines' database is on, if it is not the in-cluster one. */
  static Optional<String> pipelinesDatabase(KubernetesClient client) {
    Map<String, String> c = pipelinesConfig(client);
    String host = c.getOrDefault("dbHost", "mysql");
    return c.isEmpty() || inClusterDatabase(host) ? Optional.empty() : Optional.of(host);
  }

  /**
   * The external host Katib's database is on: katib-db-manager reads KATIB_MYSQL_DB_HOST only then
   * (upstream's katib-external-db), from katib-mysql-secrets.
   */
  static Optional<String> katibDatabase(KubernetesClient client) {
    Deployment d = client.apps().deployments().inNamespace(NS).withName("katib-db-manager").get();
    if (d == null) {
      return Optional.empty();
    }
    boolean external =
        d.getSpec().getTemplate().getSpec().getContainers().stream()
            .flatMap(c -> c.getEnv() == null ? Stream.<EnvVar>empty() : c.getEnv().stream())
            .anyMatch(e -> "KATIB_MYSQL_DB_HOST".equals(e.getName()));
    Secret s = client.secrets().inNamespace(NS).withName("katib-mysql-secrets").get();
    return !external || s == null
        ? Optional.empty()
        : ClusterFacts.secretValue(s, "KATIB_MYSQL_DB_HOST");
  }

  /** Argo's artifact endpoint ("host:port"), or "" where there is none. */
  static String argoEndpoint(KubernetesClient client) {
    return argoEndpoint(
        client.configMaps().inNamespace(NS).withName("workflow-controller-configmap").get());
  }

  static String argoEndpoint(ConfigMap argo) {
    return argo == null || argo.getData() == null
        ? ""
        : ObjectStorePatch.argoEndpoint(argo.getData().get("artifactRepository"));
  }

  /** The external object store Pipelines uses, if it is not an in-cluster one. */
  static Optional<String> objectStore(KubernetesClient client) {
    String endpoint = argoEndpoint(client);
    return endpoint.isEmpty() || IN_CLUSTER_ENDPOINTS.contains(endpoint)
        ? Optional.empty()
        : Optional.of(endpoint);
  }

  /**
   * The in-cluster stores' Deployments ("kubeflow/mysql", ...) that hold the cluster's data: those
   * on the cluster whose consumers still point at them. A kept server of a switched cluster is left
   * out, so that a backup does not take its stale data for the cluster's.
   */
  static Predicate<String> inUse(KubernetesClient client) {
    Predicate<String> on = Backups.deploymentsOn(client);
    boolean pipelinesDb = pipelinesDatabase(client).isEmpty();
    boolean katibDb = katibDatabase(client).isEmpty();
    boolean store = objectStore(client).isEmpty();
    return ref -> {
      boolean keep =
          switch (ref) {
            case NS + "/mysql" -> pipelinesDb;
            case NS + "/katib-mysql" -> katibDb;
            case NS + "/minio", NS + "/seaweedfs" -> store;
            default -> true;
          };
      return keep && on.test(ref);
    };
  }
}
