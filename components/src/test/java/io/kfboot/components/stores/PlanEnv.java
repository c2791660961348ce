package io.kfboot.components.stores;

import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.PodTemplates;
import io.kfboot.manifests.parse.Trees;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A container's environment as the kubelet would give it from the plan's own ConfigMaps and
 * Secrets; a reference the plan cannot satisfy is recorded, not guessed.
 */
record PlanEnv(Map<String, String> values, List<String> unresolved) {

  static PlanEnv of(InstallPlan plan, String deployment, String container) {
    K8sObject d = find(plan, "Deployment", deployment);
    Map<String, Object> c = PodTemplates.container(d.body(), container);
    Map<String, String> values = new LinkedHashMap<>();
    List<String> unresolved = new ArrayList<>();
    for (Object f : Trees.list(c.get("envFrom"))) {
      Map<String, Object> ref = Trees.map(Trees.map(f).get("configMapRef"));
      K8sObject source = find(plan, "ConfigMap", String.valueOf(ref.get("name")));
      if (source == null) {
        unresolved.add("envFrom " + ref);
        continue;
      }
      Trees.map(source.body().get("data")).forEach((k, v) -> values.put(k, String.valueOf(v)));
    }
    for (Object e : Trees.list(c.get("env"))) {
      Map<String, Object> env = Trees.map(e);
      String name = String.valueOf(env.get("name"));
      if (env.containsKey("value")) {
        values.put(name, String.valueOf(env.get("value")));
        continue;
      }
      Map<String, Object> from = Trees.map(env.get("valueFrom"));
      if (from.containsKey("fieldRef")) {
        continue;
      }
      boolean secret = from.containsKey("secretKeyRef");
      Map<String, Object> ref = Trees.map(from.get(secret ? "secretKeyRef" : "configMapKeyRef"));
      K8sObject source =
          find(plan, secret ? "Secret" : "ConfigMap", String.valueOf(ref.get("name")));
      String value = source == null ? null : value(source, String.valueOf(ref.get("key")));
      if (value != null) {
        values.put(name, value);
      } else if (!Boolean.TRUE.equals(ref.get("optional"))) {
        unresolved.add(deployment + " " + name + " <- " + ref);
      }
    }
    return new PlanEnv(values, List.copyOf(unresolved));
  }

  private static String value(K8sObject source, String key) {
    Object data = Trees.map(source.body().get("data")).get(key);
    if (data != null) {
      return source.kind().equals("Secret")
          ? new String(Base64.getDecoder().decode(String.valueOf(data)), StandardCharsets.UTF_8)
          : String.valueOf(data);
    }
    Object string = Trees.map(source.body().get("stringData")).get(key);
    return string == null ? null : String.valueOf(string);
  }

  static K8sObject find(InstallPlan plan, String kind, String name) {
    for (PlannedComponent c : plan.components()) {
      for (K8sObject o : c.objects()) {
        if (o.kind().equals(kind) && "kubeflow".equals(o.namespace()) && o.name().equals(name)) {
          return o;
        }
      }
    }
    return null;
  }
}
