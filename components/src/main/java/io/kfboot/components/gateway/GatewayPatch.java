package io.kfboot.components.gateway;

import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.gateway.GatewayConfig.Expose;
import io.kfboot.components.gateway.GatewayConfig.TlsMode;
import io.kfboot.components.k3s.GatewayServiceType;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlanObjects;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ResourceRequests;
import io.kfboot.manifests.parse.Trees;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Puts the inventory's {@code gateway:} into a plan: a pure function of the plan and the config.
 *
 * <ul>
 *   <li>The istio-ingressgateway Service as the exposure asks (NodePort ports pinned, so that the
 *       URL and the issuer are known before the install).
 *   <li>With TLS: the component {@value #TLS_COMPONENT} (cert-manager Issuers and the Certificate
 *       {@value #CERTIFICATE} in istio-system, where the gateway pods read its Secret: istio.io,
 *       "cert-manager"), an HTTPS server on kubeflow-gateway with {@code credentialName}, HTTP
 *       redirected to HTTPS, and oauth2-proxy's Secure cookie ({@code FORCE_HTTPS=true}, which
 *       common/oauth2-proxy/base/kustomization.yaml documents as "requires HTTPS on the gateway").
 *   <li>With ACME HTTP-01: {@code /.well-known/acme-challenge/*} left open in the gateway's two
 *       AuthorizationPolicies (upstream exempts only /dex and /oauth2), and no redirect on port 80.
 *   <li>With {@code allowInsecureHttp}: the web apps' {@code APP_SECURE_COOKIES=false} and a loud
 *       warning in the plan.
 *   <li>On releases whose NetworkPolicies isolate the gateway pods (26.03: only istio-system and
 *       knative-serving may reach them), a policy admitting the exposure, listed as an adaptation.
 * </ul>
 */
public final class GatewayPatch {
  public static final String TLS_COMPONENT = "gateway-tls";
  public static final String NAMESPACE = "istio-system";
  public static final String SERVICE = "istio-ingressgateway";
  public static final String CERTIFICATE = "kubeflow-gateway";
  public static final String TLS_SECRET = "kubeflow-gateway-tls";
  public static final String CA_CERTIFICATE = "kfboot-gateway-ca";
  public static final String SELF_SIGNED_ISSUER = "kfboot-gateway-selfsigned";
  public static final String CA_ISSUER = "kfboot-gateway-ca";
  public static final String ACME_ISSUER = "kfboot-gateway-acme";
  public static final String EXPOSURE_POLICY = "kfboot-allow-gateway-exposure";
  public static final String ACME_CHALLENGE_PATH = "/.well-known/acme-challenge/*";
  static final String EXPOSURE_ADAPTATION = "gateway-exposure-networkpolicy";
  static final String SECURE_COOKIES = "APP_SECURE_COOKIES";

  /** The web apps that set Secure CSRF cookies unless told not to (kubeflow/kubeflow#5803). */
  static final List<String> WEB_APPS =
      List.of(
          "jupyter-web-app-deployment",
          "volumes-web-app-deployment",
          "tensorboards-web-app-deployment");

  /** The gateway pods' container ports behind Service ports 80 and 443. */
  static final List<Integer> GATEWAY_TARGET_PORTS = List.of(8080, 8443);

  private GatewayPatch() {}

  public static InstallPlan apply(InstallPlan plan, GatewayConfig gateway) {
    gateway
        .problem()
        .ifPresent(
            p -> {
              throw new KfbootException(
                  p,
                  "correct gateway: in the inventory (docs/gateway.md)",
                  ExitCategory.INVALID_INPUT);
            });
    PlanObjects objects = new PlanObjects(plan);
    K8sObject service = objects.find("Service", NAMESPACE, SERVICE);
    if (service == null) {
      if (gateway.equals(GatewayConfig.DEFAULTS)) {
        return plan;
      }
      throw new KfbootException(
          "gateway: is set, but the plan has no Service istio-system/istio-ingressgateway",
          "plan the Istio components (drop them from --without), or remove gateway:",
          ExitCategory.INVALID_INPUT);
    }
    if (gateway.exposed()) {
      expose(objects, service, gateway);
      admitExposure(objects);
    }
    if (gateway.https()) {
      serveHttps(objects, gateway);
    }
    setProxyCookie(objects, gateway.https());
    if (gateway.allowInsecureHttp()) {
      insecureCookies(objects);
      objects.warn(
          "INSECURE: gateway.allowInsecureHttp turns the web apps' Secure cookies off"
              + " (APP_SECURE_COOKIES=false): sessions and CSRF tokens cross the network in clear"
              + " text. Use it on a trusted lab network only; gateway.tls with mode selfSigned"
              + " needs nothing else");
    }
    InstallPlan patched = objects.plan();
    return gateway.https() ? withTlsComponent(patched, gateway) : patched;
  }

  private static void expose(PlanObjects objects, K8sObject service, GatewayConfig gateway) {
    GatewayServiceType type = new GatewayServiceType(gateway.expose().serviceType());
    K8sObject exposed = type.apply(service);
    if (gateway.expose() == Expose.NODE_PORT) {
      Map<String, Object> body = Trees.deepCopy(exposed.body());
      for (Object p : Trees.list(Trees.map(body.get("spec")).get("ports"))) {
        Map<String, Object> port = Trees.map(p);
        if (Integer.valueOf(80).equals(port.get("port"))) {
          port.put("nodePort", gateway.httpNodePort());
        } else if (Integer.valueOf(443).equals(port.get("port"))) {
          port.put("nodePort", gateway.httpsNodePort());
        }
      }
      exposed = Trees.withBody(exposed, body);
    }
    objects.replace(service, exposed);
    objects.adapted(objects.componentOf(exposed), type.id(), exposed);
  }

  /**
   * A NetworkPolicy admitting any source to the gateway pods' HTTP and HTTPS ports, where the
   * release's own policies in istio-system select those pods (then only what they list gets in: a
   * NodePort or ServiceLB connection comes from a node or from outside the cluster).
   */
  private static void admitExposure(PlanObjects objects) {
    K8sObject isolating = null;
    for (K8sObject o : objects.all()) {
      if (o.kind().equals("NetworkPolicy")
          && NAMESPACE.equals(o.namespace())
          && selectsGatewayPods(Trees.map(Trees.map(o.body().get("spec")).get("podSelector")))) {
        isolating = o;
        break;
      }
    }
    if (isolating == null) {
      return;
    }
    String reason =
        "the release's NetworkPolicies (e.g. "
            + isolating.name()
            + ") admit gateway traffic only from inside the cluster; k3s enforces them, so"
            + " NodePort and ServiceLB traffic would be dropped (kubeflow/manifests#3547)";
    List<Object> ports = new ArrayList<>();
    for (int p : GATEWAY_TARGET_PORTS) {
      ports.add(K8sObject.map("protocol", "TCP", "port", p));
    }
    K8sObject policy =
        K8sObject.of(
            K8sObject.map(
                "apiVersion",
                "networking.k8s.io/v1",
                "kind",
                "NetworkPolicy",
                "metadata",
                K8sObject.map(
                    "name",
                    EXPOSURE_POLICY,
                    "namespace",
                    NAMESPACE,
                    "labels",
                    K8sObject.map("app.kubernetes.io/managed-by", "kfboot"),
                    "annotations",
                    K8sObject.map("kfboot.io/reason", reason)),
                "spec",
                K8sObject.map(
                    "podSelector",
                    K8sObject.map("matchLabels", K8sObject.map("app", SERVICE)),
                    "ingress",
                    List.of(K8sObject.map("ports", ports)),
                    "policyTypes",
                    List.of("Ingress"))));
    String component = objects.componentOf(isolating);
    objects.add(component, policy);
    objects.adapted(component, EXPOSURE_ADAPTATION, policy, reason);
  }

  /** Whether a pod selector selects the ingress gateway's pods (label app=istio-ingressgateway). */
  static boolean selectsGatewayPods(Map<String, Object> selector) {
    Map<String, Object> labels = Trees.map(selector.get("matchLabels"));
    List<Object> expressions = Trees.list(selector.get("matchExpressions"));
    if (labels.isEmpty() && expressions.isEmpty()) {
      return true;
    }
    for (Map.Entry<String, Object> l : labels.entrySet()) {
      boolean matches =
          (l.getKey().equals("app") && SERVICE.equals(l.getValue()))
              || (l.getKey().equals("istio") && "ingressgateway".equals(l.getValue()));
      if (!matches) {
        return false;
      }
    }
    for (Object e : expressions) {
      Map<String, Object> x = Trees.map(e);
      boolean appIn =
          "app".equals(x.get("key"))
              && "In".equals(x.get("operator"))
              && Trees.list(x.get("values")).contains(SERVICE);
      if (!appIn) {
        return false;
      }
    }
    return true;
  }

  private static void serveHttps(PlanObjects objects, GatewayConfig gateway) {
    boolean redirect = !(gateway.tls().mode() == TlsMode.ACME && gateway.tls().acme().http01());
    if (!redirect) {
      objects.warn(
          "gateway.tls.acme uses the HTTP-01 challenge: port 80 stays plain HTTP (no redirect to"
              + " HTTPS) so that the challenge is answered there; give acme.dns01 to redirect");
      openAcmeChallenge(objects);
    }
    K8sObject gw = objects.find("Gateway", "kubeflow", "kubeflow-gateway");
    if (gw == null) {
      // a partial plan (--components): the Gateway is set when its component is installed
      objects.warn(
          "gateway.tls: the plan has no Gateway kubeflow/kubeflow-gateway (its component is not"
              + " selected); the HTTPS server is added when it is installed with this inventory");
      return;
    }
    Map<String, Object> body = Trees.deepCopy(gw.body());
    List<Object> servers = Trees.childList(Trees.child(body, "spec"), "servers");
    boolean http = false;
    for (Object s : List.copyOf(servers)) {
      Map<String, Object> server = Trees.map(s);
      Object number = Trees.map(server.get("port")).get("number");
      if (Integer.valueOf(443).equals(number)) {
        servers.remove(s);
      } else if (Integer.valueOf(80).equals(number)) {
        http = true;
        if (redirect) {
          Trees.child(server, "tls").put("httpsRedirect", true);
        }
      }
    }
    if (!http) {
      throw shapeChanged("an HTTP server on port 80 in Gateway kubeflow/kubeflow-gateway");
    }
    servers.add(
        K8sObject.map(
            "port",
            K8sObject.map("number", 443, "name", "https", "protocol", "HTTPS"),
            "hosts",
            List.of("*"),
            "tls",
            K8sObject.map("mode", "SIMPLE", "credentialName", secretName(gateway))));
    objects.replace(gw, Trees.withBody(gw, body));
  }

  /** The Secret the HTTPS server reads: the user's, or the one cert-manager fills. */
  public static String secretName(GatewayConfig gateway) {
    return gateway.tls().mode() == TlsMode.EXISTING_SECRET
        ? gateway.tls().secretName()
        : TLS_SECRET;
  }

  private static void openAcmeChallenge(PlanObjects objects) {
    for (String name :
        List.of("istio-ingressgateway-oauth2-proxy", "istio-ingressgateway-require-jwt")) {
      K8sObject policy = objects.find("AuthorizationPolicy", NAMESPACE, name);
      if (policy == null) {
        // v1.8.1 and earlier authenticate through oidc-authservice, without these policies
        continue;
      }
      Map<String, Object> body = Trees.deepCopy(policy.body());
      int exempted = 0;
      for (Object r : Trees.list(Trees.map(body.get("spec")).get("rules"))) {
        for (Object t : Trees.list(Trees.map(r).get("to"))) {
          Map<String, Object> op = Trees.map(Trees.map(t).get("operation"));
          if (op.get("notPaths") instanceof List<?>) {
            List<Object> notPaths = Trees.childList(op, "notPaths");
            if (!notPaths.contains(ACME_CHALLENGE_PATH)) {
              notPaths.add(ACME_CHALLENGE_PATH);
            }
            exempted++;
          }
        }
      }
      if (exempted == 0) {
        throw shapeChanged("AuthorizationPolicy istio-system/" + name + " with notPaths");
      }
      objects.replace(policy, Trees.withBody(policy, body));
    }
  }

  /** oauth2-proxy's {@code FORCE_HTTPS}, which sets its cookie's Secure flag. */
  private static void setProxyCookie(PlanObjects objects, boolean secure) {
    for (K8sObject o : objects.all()) {
      if (o.kind().equals("ConfigMap")
          && "oauth2-proxy".equals(o.namespace())
          && Trees.map(o.body().get("data")).containsKey("FORCE_HTTPS")) {
        Map<String, Object> body = Trees.deepCopy(o.body());
        Trees.child(body, "data").put("FORCE_HTTPS", String.valueOf(secure));
        objects.replace(o, Trees.withBody(o, body));
      }
    }
  }

  private static void insecureCookies(PlanObjects objects) {
    for (String name : WEB_APPS) {
      K8sObject d = objects.find("Deployment", "kubeflow", name);
      if (d == null) {
        continue;
      }
      Map<String, Object> body = Trees.deepCopy(d.body());
      Map<String, Object> pod =
          Trees.child(Trees.child(Trees.child(body, "spec"), "template"), "spec");
      int set = 0;
      for (Object c : Trees.list(pod.get("containers"))) {
        for (Object e : Trees.list(Trees.map(c).get("env"))) {
          Map<String, Object> env = Trees.map(e);
          if (SECURE_COOKIES.equals(env.get("name"))) {
            env.put("value", "false");
            env.remove("valueFrom");
            set++;
          }
        }
      }
      if (set == 0) {
        throw shapeChanged("Deployment kubeflow/" + name + " with " + SECURE_COOKIES + " set");
      }
      objects.replace(d, Trees.withBody(d, body));
    }
    // the web apps' parameter ConfigMaps, so that the plan says one thing everywhere
    for (K8sObject o : objects.all()) {
      if (o.kind().equals("ConfigMap") && "kubeflow".equals(o.namespace())) {
        Map<String, Object> data = Trees.map(o.body().get("data"));
        boolean any = data.keySet().stream().anyMatch(k -> k.endsWith("_" + SECURE_COOKIES));
        if (any) {
          Map<String, Object> body = Trees.deepCopy(o.body());
          Map<String, Object> d = Trees.child(body, "data");
          for (String k : List.copyOf(d.keySet())) {
            if (k.endsWith("_" + SECURE_COOKIES)) {
              d.put(k, "false");
            }
          }
          objects.replace(o, Trees.withBody(o, body));
        }
      }
    }
  }

  /**
   * The plan with {@value #TLS_COMPONENT} after cert-manager and Istio: the Issuers and the
   * gateway's Certificate (none for an existing Secret, which the user keeps).
   */
  private static InstallPlan withTlsComponent(InstallPlan plan, GatewayConfig gateway) {
    List<K8sObject> objects = GatewayCertificates.objects(gateway);
    if (objects.isEmpty()) {
      return plan;
    }
    PlanObjects lookup = new PlanObjects(plan);
    K8sObject webhook = lookup.find("Deployment", "cert-manager", "cert-manager-webhook");
    if (webhook == null) {
      // a partial plan (--components): the certificate comes with an install that has cert-manager
      List<String> warnings = new ArrayList<>(plan.warnings());
      warnings.add(
          "gateway.tls mode "
              + gateway.tls().mode().key()
              + ": the plan has no cert-manager (not selected), so no "
              + TLS_COMPONENT
              + "; the certificate is made when cert-manager is installed with this inventory");
      return new InstallPlan(plan.tree(), plan.kustomize(), plan.components(), warnings);
    }
    List<String> deps =
        List.of(
            lookup.componentOf(webhook),
            lookup.componentOf(lookup.find("Service", NAMESPACE, SERVICE)));
    int wave = 0;
    int after = 0;
    for (int i = 0; i < plan.components().size(); i++) {
      PlannedComponent c = plan.components().get(i);
      if (deps.contains(c.id())) {
        wave = Math.max(wave, c.wave() + 1);
        after = Math.max(after, i + 1);
      }
    }
    ComponentSpec spec =
        new ComponentSpec(
            TLS_COMPONENT,
            GatewayCertificates.describe(gateway),
            List.of(),
            List.of(NAMESPACE),
            deps.stream().distinct().toList(),
            List.of(),
            true,
            false);
    PlannedComponent component =
        new PlannedComponent(
            spec,
            wave,
            objects,
            List.of(),
            new TreeSet<>(List.of(NAMESPACE)),
            new TreeSet<>(),
            ResourceRequests.of(objects),
            List.of());
    List<PlannedComponent> components = new ArrayList<>(plan.components());
    // after its dependencies and before the first later wave, so the list stays in wave order
    while (after < components.size() && components.get(after).wave() <= wave) {
      after++;
    }
    components.add(after, component);
    return new InstallPlan(plan.tree(), plan.kustomize(), components, plan.warnings());
  }

  private static KfbootException shapeChanged(String what) {
    return new KfbootException(
        "this release has no " + what + ", where kfboot puts the gateway settings",
        "please report it with the release tag; plan without gateway: meanwhile",
        ExitCategory.INTERNAL);
  }
}
