package io.kfboot.components.stores;

import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlanObjects;
import io.kfboot.components.stores.StoresConfig.ObjectStore;
import io.kfboot.core.Digests;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.PodTemplates;
import io.kfboot.manifests.parse.Trees;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Points Pipelines at an external S3-compatible store, a pure function of the plan, the config and
 * the secret values. What each release must have for it is data ({@link ObjectStorePatchSet}); what
 * kfboot sets is the same everywhere:
 *
 * <ul>
 *   <li>the store's keys in {@code mlpipeline-minio-artifact}, the bucket in {@code
 *       pipeline-install-config} (bucketName);
 *   <li>the API server's {@code OBJECTSTORECONFIG_HOST/PORT/REGION/SECURE}, as
 *       https://www.kubeflow.org/docs/components/pipelines/operator-guides/configure-object-store/
 *       has them;
 *   <li>the UI's MinIO client ({@code MINIO_HOST/PORT/SSL}, no namespace suffix);
 *   <li>Argo's default {@code artifactRepository} (endpoint, bucket, insecure, region);
 *   <li>the profile controller runs kfboot's wrapper around the release's hook ({@code
 *       kfboot_sync.py}), which gives each namespace the store as its launcher provider and Argo
 *       repository, with the cluster's keys (no per-namespace SeaweedFS keys);
 *   <li>the in-cluster MinIO or SeaweedFS, its claim and its gates leave the plan.
 * </ul>
 */
public final class ObjectStorePatch {
  static final String NS = "kubeflow";
  static final String SECRET = "mlpipeline-minio-artifact";
  static final String HOOK = "kfboot_sync.py";
  static final String HOOK_CHECKSUM = "kfboot.io/object-store-hook-checksum";
  static final String ADAPTATION = "external-object-store";
  static final List<String> UPSTREAM_HOOK_COMMAND = List.of("python", "/hooks/sync.py");

  private ObjectStorePatch() {}

  public static InstallPlan apply(InstallPlan plan, StoresConfig stores, SecretValues secrets) {
    if (stores.pipelinesStore().isEmpty()) {
      return plan;
    }
    ObjectStore store = stores.pipelinesStore().get();
    PlanObjects objects = new PlanObjects(plan);
    if (objects.find("Deployment", NS, "ml-pipeline") == null) {
      objects.warn(store.where() + " is set, but Pipelines is not planned");
      return objects.plan();
    }
    String tag = plan.tree().release().tag();
    ObjectStorePatchSet set =
        ObjectStorePatchSet.forRelease(tag)
            .orElseThrow(
                () ->
                    new KfbootException(
                        store.where()
                            + " is set, but kfboot does not know where release "
                            + tag
                            + " keeps Pipelines' object store",
                        "install one of "
                            + String.join(", ", ObjectStorePatchSet.supportedReleases())
                            + ", or leave pipelines.objectStore out and keep the in-cluster store",
                        ExitCategory.INVALID_INPUT));
    Targets targets = Targets.find(objects, set, tag);
    String component = objects.componentOf(targets.apiServer);
    // each changed object's component, looked up before the objects are replaced
    Map<K8sObject, String> adapted = new LinkedHashMap<>();
    for (K8sObject o : targets.changed()) {
      adapted.put(o, objects.componentOf(o));
    }

    // the bucket and the keys
    objects.replace(
        targets.installConfig,
        withData(targets.installConfig, Map.of("bucketName", store.bucket())));
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("accesskey", secrets.value(store.accessKey(), store.where() + ".accessKeyRef"));
    keys.put("secretkey", secrets.value(store.secretKey(), store.where() + ".secretKeyRef"));
    objects.replace(targets.secret, withSecretData(targets.secret, keys));

    String host = store.endpoint().getHost();
    String port = String.valueOf(store.port());
    String secure = String.valueOf(store.tls());
    Map<String, Object> api = new LinkedHashMap<>();
    api.put("OBJECTSTORECONFIG_HOST", host);
    api.put("OBJECTSTORECONFIG_PORT", port);
    api.put("OBJECTSTORECONFIG_REGION", store.region());
    api.put("OBJECTSTORECONFIG_SECURE", secure);
    replaceEnv(objects, targets.apiServer, "ml-pipeline-api-server", api, List.of(), null);

    Map<String, Object> ui = new LinkedHashMap<>();
    ui.put("MINIO_HOST", host);
    ui.put("MINIO_PORT", port);
    ui.put("MINIO_SSL", secure);
    ui.put("MINIO_NAMESPACE", "");
    ui.put("AWS_REGION", store.region());
    replaceEnv(objects, targets.ui, "ml-pipeline-ui", ui, List.of(), null);

    objects.replace(targets.argo, withArgoRepository(targets.argo, store, set));

    String url = store.endpoint().getScheme() + "://" + host + ":" + port;
    String hookCode = hook();
    Map<String, Object> hookData =
        new LinkedHashMap<>(Trees.map(targets.hookCode.body().get("data")));
    String sync = String.valueOf(hookData.get("sync.py"));
    for (String literal : set.hookDefaults()) {
      sync = sync.replace(literal, url);
    }
    hookData.put("sync.py", sync);
    hookData.put(HOOK, hookCode);
    objects.replace(targets.hookCode, withData(targets.hookCode, hookData));
    Map<String, Object> controller = new LinkedHashMap<>();
    controller.put("S3_ENDPOINT_URL", url);
    controller.put("AWS_REGION", store.region());
    controller.put("KFBOOT_S3_ENDPOINT_URL", url);
    controller.put("KFBOOT_S3_REGION", store.region());
    controller.put("KFBOOT_S3_BUCKET", store.bucket());
    controller.put("KFBOOT_S3_PATH_STYLE", String.valueOf(store.pathStyle()));
    controller.put("KFBOOT_S3_ACCESS_KEY", secretKey("accesskey"));
    controller.put("KFBOOT_S3_SECRET_KEY", secretKey("secretkey"));
    replaceEnv(
        objects,
        targets.profileController,
        "profile-controller",
        controller,
        set.profileControllerEnvRemoved(),
        // the hook reads its code and env once, at start: a change must roll the pod
        Digests.sha256Hex(hookCode + sync + controller));

    adapted.forEach((o, c) -> objects.adapted(c, ADAPTATION, o));
    for (K8sObject o : targets.inCluster) {
      objects.remove(o);
    }
    for (String gate : set.gatesOn()) {
      objects.removeGatesOn(component, gate);
    }
    return objects.plan();
  }

  /** Every object the patch set names, found before anything is changed; all missing at once. */
  private record Targets(
      K8sObject installConfig,
      K8sObject secret,
      K8sObject apiServer,
      K8sObject ui,
      K8sObject profileController,
      K8sObject hookCode,
      K8sObject argo,
      List<K8sObject> inCluster) {

    List<K8sObject> changed() {
      return List.of(installConfig, secret, apiServer, ui, profileController, hookCode, argo);
    }

    static Targets find(PlanObjects objects, ObjectStorePatchSet set, String tag) {
      List<String> missing = new ArrayList<>();
      K8sObject config = need(objects, "ConfigMap", "pipeline-install-config", missing);
      if (config != null && !Trees.map(config.body().get("data")).containsKey("bucketName")) {
        missing.add("key bucketName in ConfigMap kubeflow/pipeline-install-config");
      }
      K8sObject secret = need(objects, "Secret", SECRET, missing);
      K8sObject api = need(objects, "Deployment", "ml-pipeline", missing);
      expectEnv(api, "ml-pipeline-api-server", set.apiServerEnv(), missing);
      K8sObject ui = need(objects, "Deployment", "ml-pipeline-ui", missing);
      expectEnv(ui, "ml-pipeline-ui", set.uiEnv(), missing);
      K8sObject controller =
          need(objects, "Deployment", "kubeflow-pipelines-profile-controller", missing);
      expectEnv(controller, "profile-controller", set.profileControllerEnv(), missing);
      K8sObject code = null;
      if (controller != null) {
        Map<String, Object> c = PodTemplates.container(controller.body(), "profile-controller");
        if (c != null && !UPSTREAM_HOOK_COMMAND.equals(c.get("command"))) {
          missing.add(
              "command "
                  + UPSTREAM_HOOK_COMMAND
                  + " of the profile controller (it runs "
                  + c.get("command")
                  + ")");
        }
        code = hookCode(objects, controller, missing);
      }
      if (code != null) {
        String sync = String.valueOf(Trees.map(code.body().get("data")).get("sync.py"));
        for (String literal : set.hookDefaults()) {
          if (!sync.contains(literal)) {
            missing.add("'" + literal + "' in the profile controller's sync.py");
          }
        }
      }
      K8sObject argo = need(objects, "ConfigMap", "workflow-controller-configmap", missing);
      if (argo != null) {
        Object text = Trees.map(argo.body().get("data")).get("artifactRepository");
        String endpoint = argoEndpoint(text == null ? null : String.valueOf(text));
        if (!set.argoEndpoint().equals(endpoint)) {
          missing.add(
              "s3.endpoint "
                  + set.argoEndpoint()
                  + " in workflow-controller-configmap's artifactRepository (it is "
                  + (endpoint.isEmpty() ? "none" : endpoint)
                  + ")");
        }
      }
      List<K8sObject> inCluster = new ArrayList<>();
      for (String kn : set.inCluster()) {
        String[] p = kn.split("/");
        K8sObject o = need(objects, p[0], p[1], missing);
        if (o != null) {
          inCluster.add(o);
        }
      }
      for (String kn : set.inClusterOptional()) {
        String[] p = kn.split("/");
        K8sObject o = objects.find(p[0], NS, p[1]);
        if (o != null) {
          inCluster.add(o);
        }
      }
      if (!missing.isEmpty()) {
        throw new KfbootException(
            "pipelines.objectStore: release "
                + tag
                + " lacks what kfboot changes to point Pipelines at an external store ("
                + set.id()
                + " patch set): "
                + String.join("; ", missing),
            "plan the pipelines component; if it is planned, upstream renamed these: report it"
                + " with the release tag and keep the in-cluster store meanwhile",
            ExitCategory.INVALID_INPUT);
      }
      return new Targets(config, secret, api, ui, controller, code, argo, inCluster);
    }

    private static K8sObject need(
        PlanObjects objects, String kind, String name, List<String> missing) {
      K8sObject o = objects.find(kind, NS, name);
      if (o == null) {
        missing.add(kind + " kubeflow/" + name);
      }
      return o;
    }

    private static void expectEnv(
        K8sObject deployment, String name, List<String> env, List<String> missing) {
      if (deployment == null) {
        return;
      }
      Map<String, Object> c = PodTemplates.container(deployment.body(), name);
      if (c == null) {
        missing.add("container " + name + " in Deployment kubeflow/" + deployment.name());
        return;
      }
      Set<Object> present =
          Set.copyOf(Trees.list(c.get("env")).stream().map(e -> Trees.map(e).get("name")).toList());
      for (String e : env) {
        if (!present.contains(e)) {
          missing.add("env " + e + " of " + deployment.name() + "/" + name);
        }
      }
    }

    private static K8sObject hookCode(
        PlanObjects objects, K8sObject controller, List<String> missing) {
      for (Object v : Trees.list(PodTemplates.podSpec(controller.body()).get("volumes"))) {
        Map<String, Object> volume = Trees.map(v);
        if ("hooks".equals(volume.get("name"))) {
          Object name = Trees.map(volume.get("configMap")).get("name");
          K8sObject code = objects.find("ConfigMap", NS, String.valueOf(name));
          if (code != null && Trees.map(code.body().get("data")).containsKey("sync.py")) {
            return code;
          }
          missing.add(
              "ConfigMap kubeflow/" + name + " with sync.py (the profile controller's hook)");
          return null;
        }
      }
      missing.add("volume hooks of Deployment kubeflow/" + controller.name());
      return null;
    }
  }

  /**
   * Sets each env var (a value, or a {@code valueFrom} map) of the container, replacing one of the
   * same name, and takes out the removed ones; with a checksum, annotates the pod template.
   */
  private static void replaceEnv(
      PlanObjects objects,
      K8sObject deployment,
      String name,
      Map<String, Object> values,
      List<String> removed,
      String checksum) {
    Map<String, Object> body = Trees.deepCopy(deployment.body());
    Map<String, Object> c = PodTemplates.container(body, name);
    List<Object> env = new ArrayList<>();
    for (Object e : Trees.list(c.get("env"))) {
      Object n = Trees.map(e).get("name");
      if (!values.containsKey(n) && !removed.contains(n)) {
        env.add(e);
      }
    }
    values.forEach(
        (k, v) ->
            env.add(
                v instanceof String s
                    ? K8sObject.map("name", k, "value", s)
                    : K8sObject.map("name", k, "valueFrom", v)));
    c.put("env", env);
    if (checksum != null) {
      c.put("command", List.of("python", "/hooks/" + HOOK));
      Map<String, Object> template = Trees.child(Trees.child(body, "spec"), "template");
      Trees.child(Trees.child(template, "metadata"), "annotations").put(HOOK_CHECKSUM, checksum);
    }
    objects.replace(deployment, Trees.withBody(deployment, body));
  }

  private static Map<String, Object> secretKey(String key) {
    return K8sObject.map("secretKeyRef", K8sObject.map("name", SECRET, "key", key));
  }

  static Map<String, Object> argoRepository(K8sObject argo) {
    Object text = Trees.map(argo.body().get("data")).get("artifactRepository");
    return argoRepository(text == null ? null : String.valueOf(text));
  }

  /** Argo's artifactRepository (the YAML text of workflow-controller-configmap), parsed. */
  static Map<String, Object> argoRepository(String text) {
    return Trees.map(text == null ? null : yaml().load(text));
  }

  /**
   * The {@code s3.endpoint} ("host:port") of Argo's artifactRepository text, as the cluster holds
   * it; "" where there is none.
   */
  public static String argoEndpoint(String artifactRepository) {
    Object endpoint = Trees.map(argoRepository(artifactRepository).get("s3")).get("endpoint");
    return endpoint == null ? "" : String.valueOf(endpoint);
  }

  private static K8sObject withArgoRepository(
      K8sObject argo, ObjectStore store, ObjectStorePatchSet set) {
    Map<String, Object> repository = Trees.deepCopy(argoRepository(argo));
    Map<String, Object> s3 = Trees.child(repository, "s3");
    s3.put("endpoint", store.endpoint().getHost() + ":" + store.port());
    s3.put("bucket", store.bucket());
    s3.put("insecure", !store.tls());
    s3.put("region", store.region());
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    String text = new Yaml(options).dump(repository);
    return withData(argo, Map.of("artifactRepository", text));
  }

  private static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  private static K8sObject withData(K8sObject o, Map<String, ?> values) {
    Map<String, Object> body = Trees.deepCopy(o.body());
    Trees.child(body, "data").putAll(values);
    return Trees.withBody(o, body);
  }

  /** The Secret with exactly these keys, base64 in {@code data} (upstream writes stringData). */
  private static K8sObject withSecretData(K8sObject secret, Map<String, String> values) {
    Map<String, Object> body = Trees.deepCopy(secret.body());
    body.remove("stringData");
    Map<String, Object> data = new LinkedHashMap<>();
    values.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    body.put("data", data);
    return Trees.withBody(secret, body);
  }

  /** kfboot's wrapper around the release's profile controller hook. */
  static String hook() {
    try (InputStream in = ObjectStorePatch.class.getResourceAsStream(HOOK)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
