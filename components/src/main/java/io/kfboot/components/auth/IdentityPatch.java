package io.kfboot.components.auth;

import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlanObjects;
import io.kfboot.core.Digests;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.PodTemplates;
import io.kfboot.manifests.parse.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * Puts the inventory's {@code auth:} into a plan whose credentials are already kfboot's ({@link
 * CredentialsPatch}): a pure function of the plan, the config, the issuer and the secret values.
 *
 * <ul>
 *   <li>One issuer in the three places upstream keeps it (common/dex/README.md, "Update Istio
 *       Request Authentication"): Dex's {@code issuer}, oauth2-proxy's {@code oidc_issuer_url}, and
 *       the {@code dex-jwt} RequestAuthentication; up to v1.8.1, oidc-authservice's {@code
 *       OIDC_PROVIDER}. Where the issuer is public, the RequestAuthentication fetches Dex's keys in
 *       the cluster ({@code jwksUri}), as oauth2-proxy already does: istiod need not resolve the
 *       public name nor trust its certificate.
 *   <li>Each static user as a Dex {@code staticPasswords} entry, its hash in {@code dex-passwords}
 *       behind {@code hashFromEnv} (inline {@code hash} on releases whose Dex config has no
 *       hashFromEnv).
 *   <li>Each connector in Dex's {@code connectors}, redirect URI = issuer + /callback, every secret
 *       field a {@code $VARIABLE} whose value is in the Secret {@code kfboot-dex-connectors} that
 *       the Dex container reads (Dex expands variables in connector configs: dexidp/dex
 *       cmd/dex/config.go, isExpandEnvEnabled).
 *   <li>A checksum of each auth server's config and secrets on its pod template, so that Dex,
 *       oauth2-proxy (and oidc-authservice) restart when their config changes: upstream's Dex
 *       ConfigMap is not hash-suffixed and nothing else rolls it.
 * </ul>
 */
public final class IdentityPatch {
  public static final String CHECKSUM_ANNOTATION = "kfboot.io/config-checksum";
  public static final String CONNECTOR_SECRET = "kfboot-dex-connectors";
  public static final String CA_CONFIGMAP = "kfboot-dex-ca";
  static final String CA_MOUNT = "/etc/dex/kfboot-ca";
  static final String DEX_NS = "auth";
  static final String PROXY_NS = "oauth2-proxy";
  static final String ISTIO_NS = "istio-system";

  private static final Pattern ISSUER_LINE =
      Pattern.compile("(?m)^(\\s*oidc_issuer_url\\s*=\\s*)\"[^\"]*\"");

  private IdentityPatch() {}

  /**
   * @param issuer the one issuer ({@link AuthConfig#issuerFor})
   */
  public static InstallPlan apply(
      InstallPlan plan,
      AuthConfig auth,
      String issuer,
      Credentials credentials,
      SecretValues secrets) {
    PlanObjects objects = new PlanObjects(plan);
    K8sObject dexConfig = objects.find("ConfigMap", DEX_NS, "dex");
    boolean wantsDex =
        !auth.users().isEmpty()
            || !auth.connectors().isEmpty()
            || !issuer.equals(AuthConfig.IN_CLUSTER_ISSUER);
    if (dexConfig == null) {
      if (wantsDex) {
        throw new KfbootException(
            "auth: sets an issuer, users or connectors, but the plan has no Dex (ConfigMap"
                + " auth/dex)",
            "plan the dex component (drop it from --without), or remove auth:",
            ExitCategory.INVALID_INPUT);
      }
      return plan;
    }
    Map<String, Object> config = readConfig(dexConfig);
    config.put("issuer", issuer);
    boolean hashFromEnv = usesHashFromEnv(config);
    Map<String, String> userHashes = new LinkedHashMap<>();
    List<Object> passwords = Trees.childList(config, "staticPasswords");
    for (StaticUser u : auth.users()) {
      if (u.email().equals(credentials.adminEmail())) {
        throw new KfbootException(
            "auth.users lists " + u.email() + ", the admin kfboot already makes",
            "drop it from auth.users (the admin's password is in the credentials file)",
            ExitCategory.INVALID_INPUT);
      }
      String hash = u.hash() != null ? u.hash() : generatedHash(credentials, u.email());
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("email", u.email());
      if (hashFromEnv) {
        String env = userPasswordEnv(u.email());
        entry.put("hashFromEnv", env);
        userHashes.put(env, hash);
      } else {
        entry.put("hash", hash);
      }
      entry.put("username", u.email().substring(0, u.email().indexOf('@')));
      entry.put("userID", Digests.sha256Hex(u.email()).substring(0, 16));
      passwords.add(entry);
    }
    config.put("enablePasswordDB", true);
    Map<String, String> connectorEnv = new TreeMap<>();
    Map<String, String> caFiles = new TreeMap<>();
    if (!auth.connectors().isEmpty()) {
      List<Object> connectors = Trees.childList(config, "connectors");
      for (Connector c : auth.connectors()) {
        connectors.add(connectorEntry(c, issuer, secrets, connectorEnv, caFiles));
      }
    }
    String component = objects.componentOf(dexConfig);
    objects.replace(dexConfig, withConfig(dexConfig, config));
    if (!userHashes.isEmpty()) {
      K8sObject dexPasswords = objects.find("Secret", DEX_NS, "dex-passwords");
      if (dexPasswords == null) {
        throw shapeChanged("Secret auth/dex-passwords, which Dex's hashFromEnv reads");
      }
      objects.replace(dexPasswords, withStringData(dexPasswords, userHashes));
    }
    if (!connectorEnv.isEmpty() || !caFiles.isEmpty()) {
      K8sObject dexDeployment = objects.find("Deployment", DEX_NS, "dex");
      if (dexDeployment == null) {
        throw shapeChanged("Deployment auth/dex");
      }
      if (!connectorEnv.isEmpty()) {
        objects.add(component, secret(CONNECTOR_SECRET, connectorEnv));
      }
      if (!caFiles.isEmpty()) {
        objects.add(component, configMap(CA_CONFIGMAP, caFiles));
      }
      objects.replace(
          dexDeployment,
          withConnectorSources(dexDeployment, !connectorEnv.isEmpty(), !caFiles.isEmpty()));
    }
    setProxyIssuer(objects, issuer);
    setRequestAuthenticationIssuer(objects, issuer);
    setAuthserviceProvider(objects, issuer);
    rollOnChange(objects);
    return objects.plan();
  }

  private static Map<String, Object> connectorEntry(
      Connector c,
      String issuer,
      SecretValues secrets,
      Map<String, String> env,
      Map<String, String> caFiles) {
    Map<String, Object> config = Trees.deepCopy(c.config());
    for (Map.Entry<String, SecretRef> s : c.secrets().entrySet()) {
      String variable = connectorEnv(c.id(), s.getKey());
      env.put(variable, secrets.value(s.getValue(), c.where() + ".config." + s.getKey()));
      put(config, s.getKey(), "$" + variable);
    }
    if (!c.type().equals("ldap")) {
      config.put("redirectURI", AuthConfig.redirectUri(issuer));
    }
    if (c.rootCaFile() != null) {
      String pem = readPem(c);
      switch (c.type()) {
        case "ldap" ->
            config.put(
                "rootCAData",
                Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8)));
        case "oidc" -> {
          caFiles.put(c.id() + ".pem", pem);
          config.put("rootCAs", List.of(CA_MOUNT + "/" + c.id() + ".pem"));
        }
        case "github" -> {
          caFiles.put(c.id() + ".pem", pem);
          config.put("rootCA", CA_MOUNT + "/" + c.id() + ".pem");
        }
        default ->
            throw new KfbootException(
                c.where() + ".rootCAFile: Dex's " + c.type() + " connector takes no CA",
                "drop rootCAFile",
                ExitCategory.INVALID_INPUT);
      }
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("type", c.type());
    entry.put("id", c.id());
    entry.put("name", c.name());
    entry.put("config", config);
    return entry;
  }

  private static String readPem(Connector c) {
    try {
      String pem = Files.readString(c.rootCaFile(), StandardCharsets.UTF_8);
      if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
        throw new KfbootException(
            c.where() + ".rootCAFile " + c.rootCaFile() + " holds no PEM certificate",
            "give the CA certificate in PEM (-----BEGIN CERTIFICATE-----)",
            ExitCategory.INVALID_INPUT);
      }
      return pem;
    } catch (IOException e) {
      throw new KfbootException(
          c.where() + ".rootCAFile " + c.rootCaFile() + " cannot be read: " + e.getMessage(),
          "check the path",
          ExitCategory.INVALID_INPUT);
    }
  }

  /** Sets a dotted path of a mutable config tree. */
  private static void put(Map<String, Object> config, String dotted, Object value) {
    String[] parts = dotted.split("\\.");
    Map<String, Object> at = config;
    for (int i = 0; i < parts.length - 1; i++) {
      at = Trees.child(at, parts[i]);
    }
    at.put(parts[parts.length - 1], value);
  }

  /** The variable a connector's secret field is read from: KFBOOT_DEX_ID_FIELD. */
  static String connectorEnv(String id, String field) {
    return "KFBOOT_DEX_" + envPart(id) + "_" + envPart(field);
  }

  /**
   * The variable a static user's hash is read from: readable, and unique even for e-mails that
   * differ only in punctuation.
   */
  static String userPasswordEnv(String email) {
    return "DEX_USER_"
        + envPart(email)
        + "_"
        + Digests.sha256Hex(email).substring(0, 6).toUpperCase(Locale.ROOT);
  }

  private static String envPart(String s) {
    return s.replaceAll("[^A-Za-z0-9]+", "_").toUpperCase(Locale.ROOT);
  }

  private static String generatedHash(Credentials credentials, String email) {
    Credentials.UserPassword p = credentials.users().get(email);
    if (p == null) {
      throw new KfbootException(
          "the credentials file holds no password for " + email + ", listed in auth.users",
          "run kfboot install (or up), which makes the passwords of new users, before this",
          ExitCategory.INVALID_INPUT);
    }
    return p.hash();
  }

  private static boolean usesHashFromEnv(Map<String, Object> config) {
    for (Object o : Trees.list(config.get("staticPasswords"))) {
      if (Trees.map(o).containsKey("hashFromEnv")) {
        return true;
      }
    }
    return false;
  }

  private static void setProxyIssuer(PlanObjects objects, String issuer) {
    for (K8sObject o : objects.all()) {
      if (o.kind().equals("ConfigMap")
          && PROXY_NS.equals(o.namespace())
          && Trees.map(o.body().get("data")).get("oauth2_proxy.cfg") instanceof String cfg) {
        Matcher m = ISSUER_LINE.matcher(cfg);
        if (!m.find()) {
          throw shapeChanged(o.key() + " with an oidc_issuer_url line in oauth2_proxy.cfg");
        }
        String patched =
            m.replaceFirst(Matcher.quoteReplacement(m.group(1) + "\"" + issuer + "\""));
        Map<String, Object> body = Trees.deepCopy(o.body());
        Trees.child(body, "data").put("oauth2_proxy.cfg", patched);
        objects.replace(o, Trees.withBody(o, body));
      }
    }
  }

  private static void setRequestAuthenticationIssuer(PlanObjects objects, String issuer) {
    K8sObject ra = objects.find("RequestAuthentication", ISTIO_NS, "dex-jwt");
    if (ra == null) {
      return;
    }
    Map<String, Object> body = Trees.deepCopy(ra.body());
    List<Object> rules = Trees.list(Trees.map(body.get("spec")).get("jwtRules"));
    if (rules.isEmpty()) {
      throw shapeChanged("RequestAuthentication istio-system/dex-jwt with jwtRules");
    }
    Map<String, Object> rule = Trees.map(rules.get(0));
    rule.put("issuer", issuer);
    if (issuer.equals(AuthConfig.IN_CLUSTER_ISSUER)) {
      rule.remove("jwksUri");
    } else {
      rule.put("jwksUri", AuthConfig.IN_CLUSTER_JWKS);
    }
    objects.replace(ra, Trees.withBody(ra, body));
  }

  /** v1.8.1 and earlier: oidc-authservice's params (common/oidc-client/oidc-authservice). */
  private static void setAuthserviceProvider(PlanObjects objects, String issuer) {
    for (K8sObject o : objects.all()) {
      if (o.kind().equals("ConfigMap")
          && ISTIO_NS.equals(o.namespace())
          && Trees.map(o.body().get("data")).containsKey("OIDC_PROVIDER")) {
        Map<String, Object> body = Trees.deepCopy(o.body());
        Trees.child(body, "data").put("OIDC_PROVIDER", issuer);
        objects.replace(o, Trees.withBody(o, body));
      }
    }
  }

  /**
   * A checksum of each auth server's ConfigMaps and Secrets on its pod template, so that a change
   * of any of them rolls the pods.
   */
  private static void rollOnChange(PlanObjects objects) {
    roll(objects, "Deployment", DEX_NS, "dex", DEX_NS);
    roll(objects, "Deployment", PROXY_NS, "oauth2-proxy", PROXY_NS);
    for (K8sObject o : objects.all()) {
      if (o.kind().equals("StatefulSet")
          && ISTIO_NS.equals(o.namespace())
          && o.name().contains("authservice")) {
        roll(objects, "StatefulSet", ISTIO_NS, o.name(), ISTIO_NS);
      }
    }
  }

  private static void roll(
      PlanObjects objects, String kind, String ns, String name, String sources) {
    K8sObject workload = objects.find(kind, ns, name);
    if (workload == null) {
      return;
    }
    StringBuilder material = new StringBuilder();
    for (K8sObject o : objects.all()) {
      boolean configOrSecret = o.kind().equals("ConfigMap") || o.kind().equals("Secret");
      if (configOrSecret && sources.equals(o.namespace()) && !o.name().endsWith("-theme")) {
        material.append(o.key()).append('\n');
        material.append(new TreeMap<>(Trees.map(o.body().get("data")))).append('\n');
        material.append(new TreeMap<>(Trees.map(o.body().get("stringData")))).append('\n');
      }
    }
    Map<String, Object> body = Trees.deepCopy(workload.body());
    Map<String, Object> template = Trees.child(Trees.child(body, "spec"), "template");
    Trees.child(Trees.child(template, "metadata"), "annotations")
        .put(CHECKSUM_ANNOTATION, Digests.sha256Hex(material.toString()));
    objects.replace(workload, Trees.withBody(workload, body));
  }

  private static K8sObject withConnectorSources(K8sObject dex, boolean env, boolean ca) {
    Map<String, Object> body = Trees.deepCopy(dex.body());
    Map<String, Object> pod =
        Trees.child(Trees.child(Trees.child(body, "spec"), "template"), "spec");
    Map<String, Object> container = PodTemplates.container(body, "dex");
    if (container == null) {
      throw shapeChanged("Deployment auth/dex with a container named dex");
    }
    if (env) {
      Trees.childList(container, "envFrom")
          .add(Map.of("secretRef", Map.of("name", CONNECTOR_SECRET)));
    }
    if (ca) {
      Trees.childList(container, "volumeMounts")
          .add(Map.of("name", CA_CONFIGMAP, "mountPath", CA_MOUNT, "readOnly", true));
      Trees.childList(pod, "volumes")
          .add(Map.of("name", CA_CONFIGMAP, "configMap", Map.of("name", CA_CONFIGMAP)));
    }
    return Trees.withBody(dex, body);
  }

  private static K8sObject secret(String name, Map<String, String> values) {
    Map<String, Object> data = new LinkedHashMap<>();
    values.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return K8sObject.of(
        K8sObject.map(
            "apiVersion", "v1",
            "kind", "Secret",
            "metadata", K8sObject.map("name", name, "namespace", DEX_NS),
            "type", "Opaque",
            "data", data));
  }

  private static K8sObject configMap(String name, Map<String, String> values) {
    return K8sObject.of(
        K8sObject.map(
            "apiVersion",
            "v1",
            "kind",
            "ConfigMap",
            "metadata",
            K8sObject.map("name", name, "namespace", DEX_NS),
            "data",
            new LinkedHashMap<String, Object>(values)));
  }

  private static K8sObject withStringData(K8sObject secret, Map<String, String> values) {
    Map<String, Object> body = Trees.deepCopy(secret.body());
    if (body.get("data") instanceof Map<?, ?>) {
      Map<String, Object> data = Trees.child(body, "data");
      values.forEach(
          (k, v) ->
              data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    } else {
      Trees.child(body, "stringData").putAll(values);
    }
    return Trees.withBody(secret, body);
  }

  static Yaml yaml() {
    DumperOptions d = new DumperOptions();
    d.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    return new Yaml(new SafeConstructor(new LoaderOptions()), new Representer(d), d);
  }

  /** Dex's config.yaml of the ConfigMap, as a mutable tree. */
  public static Map<String, Object> readConfig(K8sObject dexConfig) {
    Object raw = Trees.map(dexConfig.body().get("data")).get("config.yaml");
    if (!(raw instanceof String text)) {
      throw shapeChanged("ConfigMap auth/dex with a config.yaml");
    }
    // a fresh load: its maps and lists are new and mutable already
    return new LinkedHashMap<>(Trees.map(yaml().load(text)));
  }

  private static K8sObject withConfig(K8sObject dexConfig, Map<String, Object> config) {
    Map<String, Object> body = Trees.deepCopy(dexConfig.body());
    Trees.child(body, "data").put("config.yaml", yaml().dump(config));
    return Trees.withBody(dexConfig, body);
  }

  private static KfbootException shapeChanged(String what) {
    return new KfbootException(
        "this release has no " + what + ", where kfboot puts the identity settings",
        "please report it with the release tag; plan without auth: meanwhile",
        ExitCategory.INTERNAL);
  }
}
