package io.kfboot.components.stores;

import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlanObjects;
import io.kfboot.components.stores.StoresConfig.ClusterSecret;
import io.kfboot.components.stores.StoresConfig.Database;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.PodTemplates;
import io.kfboot.manifests.parse.Trees;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Points Pipelines and Katib at their external databases, a pure function of the plan, the config
 * and the secret values; the in-cluster MySQL servers, their claims and their gates leave the plan
 * (the stores check stands for their readiness).
 *
 * <ul>
 *   <li>Pipelines (the same keys in v1.8.1 through 26.03): {@code pipeline-install-config}'s
 *       dbHost/mysqlHost, dbPort/mysqlPort and the three database names, which ml-pipeline,
 *       cache-server and metadata-grpc read; the account in {@code mysql-secret}.
 *   <li>Katib: {@code katib-mysql-secrets} and katib-db-manager's env as upstream's {@code
 *       installs/katib-external-db} has them (KATIB_MYSQL_DB_*, DB_USER, DB_PASSWORD).
 * </ul>
 *
 * <p>Every object a patch changes must be in the plan: a release that renamed one fails here,
 * rather than keeping an in-cluster store the user meant to leave.
 */
public final class DatabasePatch {
  static final String NS = "kubeflow";

  /** The in-cluster Pipelines MySQL; the first three are in every release. */
  static final List<String[]> PIPELINES_MYSQL =
      List.of(
          new String[] {"Deployment", "mysql"},
          new String[] {"Service", "mysql"},
          new String[] {"PersistentVolumeClaim", "mysql-pv-claim"});

  static final List<String[]> PIPELINES_MYSQL_EXTRAS =
      List.of(
          new String[] {"ServiceAccount", "mysql"},
          new String[] {"DestinationRule", "ml-pipeline-mysql"},
          new String[] {"AuthorizationPolicy", "mysql"},
          new String[] {"NetworkPolicy", "mysql"});

  static final List<String[]> KATIB_MYSQL =
      List.of(
          new String[] {"Deployment", "katib-mysql"},
          new String[] {"Service", "katib-mysql"},
          new String[] {"PersistentVolumeClaim", "katib-mysql"});

  private DatabasePatch() {}

  public static InstallPlan apply(InstallPlan plan, StoresConfig stores, SecretValues secrets) {
    if (stores.pipelinesDb().isEmpty() && stores.katibDb().isEmpty()) {
      return plan;
    }
    PlanObjects objects = new PlanObjects(plan);
    // a plan without the component (--components, --without) has nothing to point elsewhere
    stores
        .pipelinesDb()
        .ifPresent(
            db -> {
              if (objects.find("ConfigMap", NS, "pipeline-install-config") != null) {
                pipelines(objects, db, secrets);
              } else {
                objects.warn(db.where() + " is set, but Pipelines is not planned");
              }
            });
    stores
        .katibDb()
        .ifPresent(
            db -> {
              if (objects.find("Deployment", NS, "katib-db-manager") != null) {
                katib(objects, db, secrets);
              } else {
                objects.warn(db.where() + " is set, but Katib is not planned");
              }
            });
    return objects.plan();
  }

  private static void pipelines(PlanObjects objects, Database db, SecretValues secrets) {
    K8sObject config = require(objects, "ConfigMap", "pipeline-install-config", "Pipelines");
    String component = objects.componentOf(config);
    Map<String, Object> body = Trees.deepCopy(config.body());
    Map<String, Object> data = Trees.child(body, "data");
    for (String key :
        List.of("dbHost", "dbPort", "mysqlHost", "mysqlPort", "pipelineDb", "cacheDb", "mlmdDb")) {
      if (!data.containsKey(key)) {
        throw shapeChanged("key " + key + " in ConfigMap kubeflow/pipeline-install-config");
      }
    }
    data.put("dbHost", db.host());
    data.put("mysqlHost", db.host());
    data.put("dbPort", String.valueOf(db.port()));
    data.put("mysqlPort", String.valueOf(db.port()));
    data.put("pipelineDb", db.databases().get("pipelines"));
    data.put("cacheDb", db.databases().get("cache"));
    data.put("mlmdDb", db.databases().get("metadata"));
    objects.replace(config, Trees.withBody(config, body));

    K8sObject secret = require(objects, "Secret", "mysql-secret", "Pipelines");
    Map<String, String> account = new LinkedHashMap<>();
    account.put("username", db.user());
    if (db.passwordSecret() == null) {
      account.put("password", secrets.value(db.password(), db.passwordField()));
      objects.replace(secret, withData(secret, account));
    } else {
      // the site's Secret holds the password: mysql-secret keeps the user only, and every client
      // that read its password reads the site's Secret instead
      Map<String, Object> secretBody = Trees.deepCopy(secret.body());
      Trees.child(secretBody, "data").remove("password");
      if (secretBody.get("stringData") instanceof Map<?, ?> stringData) {
        stringData.remove("password");
      }
      K8sObject withoutPassword = Trees.withBody(secret, secretBody);
      objects.replace(secret, withData(withoutPassword, account));
      int rewired = rewire(objects, "mysql-secret", "password", db.passwordSecret());
      if (rewired == 0) {
        throw shapeChanged("client reading the password of Secret kubeflow/mysql-secret");
      }
    }

    for (String[] kn : PIPELINES_MYSQL) {
      objects.remove(require(objects, kn[0], kn[1], "Pipelines"));
    }
    for (String[] kn : PIPELINES_MYSQL_EXTRAS) {
      K8sObject o = objects.find(kn[0], NS, kn[1]);
      if (o != null) {
        objects.remove(o);
      }
    }
    objects.removeGatesOn(component, NS + "/mysql");
  }

  private static void katib(PlanObjects objects, Database db, SecretValues secrets) {
    K8sObject secret = require(objects, "Secret", "katib-mysql-secrets", "Katib");
    Map<String, String> values = new LinkedHashMap<>();
    values.put("KATIB_MYSQL_DB_DATABASE", db.databases().get("katib"));
    values.put("KATIB_MYSQL_DB_HOST", db.host());
    values.put("KATIB_MYSQL_DB_PORT", String.valueOf(db.port()));
    values.put("DB_USER", db.user());
    if (db.passwordSecret() == null) {
      values.put("DB_PASSWORD", secrets.value(db.password(), db.passwordField()));
    }
    // upstream's own keys stay: the in-cluster katib-mysql, kept on a cluster switched to the
    // external server, reads its root password from this Secret when it restarts
    Map<String, Object> secretBody = Trees.deepCopy(secret.body());
    if (secretBody.get("stringData") instanceof Map<?, ?> stringData) {
      stringData.keySet().removeAll(values.keySet());
    }
    objects.replace(secret, withData(Trees.withBody(secret, secretBody), values));

    K8sObject manager = require(objects, "Deployment", "katib-db-manager", "Katib");
    String component = objects.componentOf(manager);
    Map<String, Object> body = Trees.deepCopy(manager.body());
    Map<String, Object> container = PodTemplates.container(body, "katib-db-manager");
    if (container == null) {
      throw shapeChanged("container katib-db-manager in Deployment kubeflow/katib-db-manager");
    }
    // as applications/katib/upstream/installs/katib-external-db/patches/db-manager.yaml
    List<Object> env = new ArrayList<>();
    env.add(K8sObject.map("name", "DB_NAME", "value", "mysql"));
    env.add(fromSecret("DB_USER", "DB_USER"));
    env.add(
        db.passwordSecret() == null
            ? fromSecret("DB_PASSWORD", "DB_PASSWORD")
            : K8sObject.map(
                "name",
                "DB_PASSWORD",
                "valueFrom",
                K8sObject.map(
                    "secretKeyRef",
                    K8sObject.map(
                        "name", db.passwordSecret().name(), "key", db.passwordSecret().key()))));
    for (String key :
        List.of("KATIB_MYSQL_DB_DATABASE", "KATIB_MYSQL_DB_HOST", "KATIB_MYSQL_DB_PORT")) {
      env.add(fromSecret(key, key));
    }
    container.put("env", env);
    objects.replace(manager, Trees.withBody(manager, body));

    for (String[] kn : KATIB_MYSQL) {
      objects.remove(require(objects, kn[0], kn[1], "Katib"));
    }
    objects.removeGatesOn(component, NS + "/katib-mysql");
  }

  /**
   * Points every {@code secretKeyRef} to {@code name}/{@code key} in the plan's pod templates at
   * the site's Secret instead; how many were.
   */
  private static int rewire(PlanObjects objects, String name, String key, ClusterSecret to) {
    int n = 0;
    for (K8sObject o : objects.all()) {
      if (!o.kind().equals("Deployment") || !NS.equals(o.namespace())) {
        continue;
      }
      Map<String, Object> body = Trees.deepCopy(o.body());
      Map<String, Object> pod = PodTemplates.podSpec(body);
      int here = 0;
      for (String list : List.of("containers", "initContainers")) {
        for (Object c : Trees.list(pod.get(list))) {
          for (Object e : Trees.list(Trees.map(c).get("env"))) {
            Map<String, Object> ref =
                Trees.map(Trees.map(Trees.map(e).get("valueFrom")).get("secretKeyRef"));
            if (name.equals(ref.get("name")) && key.equals(ref.get("key"))) {
              ref.put("name", to.name());
              ref.put("key", to.key());
              here++;
            }
          }
        }
      }
      if (here > 0) {
        objects.replace(o, Trees.withBody(o, body));
        n += here;
      }
    }
    return n;
  }

  private static Map<String, Object> fromSecret(String env, String key) {
    return K8sObject.map(
        "name",
        env,
        "valueFrom",
        K8sObject.map("secretKeyRef", K8sObject.map("name", "katib-mysql-secrets", "key", key)));
  }

  private static K8sObject withData(K8sObject secret, Map<String, String> values) {
    Map<String, Object> body = Trees.deepCopy(secret.body());
    Map<String, Object> data = Trees.child(body, "data");
    values.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return Trees.withBody(secret, body);
  }

  private static K8sObject require(PlanObjects objects, String kind, String name, String of) {
    K8sObject o = objects.find(kind, NS, name);
    if (o == null) {
      throw new KfbootException(
          "an external database for "
              + of
              + " is configured, but the plan has no "
              + kind
              + " kubeflow/"
              + name
              + ", which kfboot changes for it",
          "plan the "
              + of.toLowerCase(Locale.ROOT)
              + " component, or report the release tag if it is planned (upstream renamed it)",
          ExitCategory.INVALID_INPUT);
    }
    return o;
  }

  private static KfbootException shapeChanged(String what) {
    return new KfbootException(
        "this release has no " + what + ", where kfboot points Pipelines at its database",
        "please report it with the release tag; keep the in-cluster database meanwhile",
        ExitCategory.INTERNAL);
  }
}
