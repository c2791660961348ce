package io.kfboot.components.auth;

import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Puts {@link Credentials} into a plan's objects in place of upstream's defaults: Dex's static user
 * (e-mail, username, bcrypt hash), the OIDC client secret in Dex's and oauth2-proxy's (or, up to
 * v1.8.1, oidc-authservice's) Secrets, oauth2-proxy's cookie secret, and the owner of the default
 * user's Profile. A pure function of the plan; afterwards no upstream default secret may be left
 * anywhere in it.
 */
public final class CredentialsPatch {
  /** Upstream's published defaults (the hash is of "12341234"); none may reach a cluster. */
  static final List<String> UPSTREAM_DEFAULTS =
      List.of(
          "$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72",
          "pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok",
          "7d16fee92f8d11b8940b081b3f8b8acb");

  private CredentialsPatch() {}

  public static InstallPlan apply(InstallPlan plan, Credentials credentials) {
    List<PlannedComponent> components = new ArrayList<>();
    for (PlannedComponent c : plan.components()) {
      List<K8sObject> objects = c.objects().stream().map(o -> patch(o, credentials)).toList();
      components.add(c.withObjects(objects));
    }
    InstallPlan patched =
        new InstallPlan(plan.tree(), plan.kustomize(), components, plan.warnings());
    for (PlannedComponent c : patched.components()) {
      for (K8sObject o : c.objects()) {
        String leftover = findDefault(o.body());
        if (leftover != null) {
          throw new CredentialsException(
              "component "
                  + c.id()
                  + ": "
                  + o.key()
                  + " still holds one of upstream's default secrets after kfboot set its own",
              "this release keeps its credentials somewhere kfboot does not know; please report it"
                  + " with the release tag");
        }
      }
    }
    return patched;
  }

  static K8sObject patch(K8sObject o, Credentials c) {
    String ns = o.namespace() == null ? "" : o.namespace();
    if (o.kind().equals("Secret") && ns.equals("auth") && o.name().equals("dex-passwords")) {
      return withSecretValue(o, "DEX_USER_PASSWORD", c.passwordHash());
    }
    if (o.kind().equals("Secret") && ns.equals("auth") && o.name().equals("dex-oidc-client")) {
      return withSecretValue(o, "OIDC_CLIENT_SECRET", c.oidcClientSecret());
    }
    if (o.kind().equals("Secret")
        && ns.equals("oauth2-proxy")
        && o.name().startsWith("oauth2-proxy")) {
      K8sObject s = withSecretValue(o, "client-secret", c.oidcClientSecret());
      return withSecretValue(s, "cookie-secret", c.cookieSecret());
    }
    if (o.kind().equals("Secret")
        && ns.equals("istio-system")
        && o.name().equals("oidc-authservice-client")) {
      // v1.8.1 and earlier: oidc-authservice instead of oauth2-proxy, the same client secret as
      // Dex's
      // (common/oidc-client/oidc-authservice/base/secret_params.env)
      return withSecretValue(o, "CLIENT_SECRET", c.oidcClientSecret());
    }
    if (o.kind().equals("ConfigMap") && ns.equals("auth") && o.name().equals("dex")) {
      return withDexConfig(o, c);
    }
    if (o.kind().equals("Profile") && o.name().equals("kubeflow-user-example-com")) {
      Map<String, Object> body = copy(o.body());
      Map<String, Object> spec = child(body, "spec");
      child(spec, "owner").put("name", c.adminEmail());
      return with(o, body);
    }
    if (o.kind().equals("ConfigMap") && o.name().startsWith("default-install-config")) {
      Map<String, Object> body = copy(o.body());
      child(body, "data").put("user", c.adminEmail());
      return with(o, body);
    }
    return o;
  }

  private static K8sObject withDexConfig(K8sObject o, Credentials c) {
    Map<String, Object> body = copy(o.body());
    Map<String, Object> data = child(body, "data");
    Object raw = data.get("config.yaml");
    if (!(raw instanceof String text)) {
      return o;
    }
    Yaml yaml =
        new Yaml(
            new SafeConstructor(new LoaderOptions()),
            new Representer(new DumperOptions()),
            dumper());
    Map<String, Object> config = copy(yaml.load(text));
    Object passwords = config.get("staticPasswords");
    if (passwords instanceof List<?> list && !list.isEmpty()) {
      List<Object> updated = new ArrayList<>();
      Map<String, Object> first = copy(list.get(0));
      first.put("email", c.adminEmail());
      first.put("username", c.adminEmail().substring(0, c.adminEmail().indexOf('@')));
      if (first.containsKey("hash")) {
        first.put("hash", c.passwordHash());
      }
      updated.add(first);
      updated.addAll(list.subList(1, list.size()));
      config.put("staticPasswords", updated);
    }
    Object clients = config.get("staticClients");
    if (clients instanceof List<?> list) {
      List<Object> updated = new ArrayList<>();
      for (Object client : list) {
        Map<String, Object> m = copy(client);
        if (m.containsKey("secret")) {
          m.put("secret", c.oidcClientSecret());
        }
        updated.add(m);
      }
      config.put("staticClients", updated);
    }
    data.put("config.yaml", yaml.dump(config));
    return with(o, body);
  }

  private static DumperOptions dumper() {
    DumperOptions d = new DumperOptions();
    d.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return d;
  }

  private static K8sObject withSecretValue(K8sObject o, String key, String value) {
    Map<String, Object> body = copy(o.body());
    Map<String, Object> stringData =
        body.get("stringData") instanceof Map<?, ?> ? child(body, "stringData") : null;
    Map<String, Object> data = body.get("data") instanceof Map<?, ?> ? child(body, "data") : null;
    if (stringData != null && stringData.containsKey(key)) {
      stringData.put(key, value);
    } else if (data != null && data.containsKey(key)) {
      data.put(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
    } else {
      return o;
    }
    return with(o, body);
  }

  /** The upstream default secret an object still holds, or null. */
  static String findDefaultIn(K8sObject o) {
    return findDefault(o.body());
  }

  private static String findDefault(Object node) {
    if (node instanceof Map<?, ?> m) {
      for (Object v : m.values()) {
        String f = findDefault(v);
        if (f != null) {
          return f;
        }
      }
    } else if (node instanceof List<?> l) {
      for (Object v : l) {
        String f = findDefault(v);
        if (f != null) {
          return f;
        }
      }
    } else if (node instanceof String s) {
      for (String d : UPSTREAM_DEFAULTS) {
        String b64 = Base64.getEncoder().encodeToString(d.getBytes(StandardCharsets.UTF_8));
        if (s.contains(d) || s.contains(b64)) {
          return d;
        }
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> copy(Object map) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (map instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v));
    }
    return out;
  }

  private static Map<String, Object> child(Map<String, Object> parent, String key) {
    Map<String, Object> c = copy(parent.get(key));
    parent.put(key, c);
    return c;
  }

  private static K8sObject with(K8sObject o, Map<String, Object> body) {
    return new K8sObject(o.apiVersion(), o.kind(), o.namespace(), o.name(), o.labels(), body);
  }
}
