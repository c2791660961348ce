package io.kfboot.components.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import io.kfboot.manifests.testing.Fixtures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The gateway settings on the real renders of the fixture releases. */
class GatewayPatchTest {
  static final String HOST = "kubeflow.lab.example";

  static Stream<String> releases() {
    return Stream.of(Fixtures.V1_10_2.tag(), Fixtures.V26_03.tag());
  }

  static InstallPlan patched(String release, String gateway) {
    return GatewayPatch.apply(SimulatedPlans.of(release), GatewayConfigReaderTest.parse(gateway));
  }

  static final String SELF_SIGNED_LB =
      "  expose: loadBalancer\n  host: " + HOST + "\n  tls: {mode: selfSigned}\n";

  @ParameterizedTest
  @MethodSource("releases")
  void httpsServerCertificateAndSecretAgree(String release) {
    InstallPlan plan = patched(release, SELF_SIGNED_LB);

    Map<String, Object> https = server(plan, 443);
    assertThat(https.get("port"))
        .isEqualTo(Map.of("number", 443, "name", "https", "protocol", "HTTPS"));
    Map<String, Object> tls = Trees.map(https.get("tls"));
    assertThat(tls).containsEntry("mode", "SIMPLE");
    K8sObject cert = find(plan, "Certificate", "istio-system", GatewayPatch.CERTIFICATE);
    Map<String, Object> spec = spec(cert);
    assertThat(tls.get("credentialName"))
        .as("the HTTPS server reads the Secret the Certificate fills, in the gateway's namespace")
        .isEqualTo(spec.get("secretName"));
    assertThat(Trees.list(spec.get("dnsNames"))).contains(HOST);
    Map<String, Object> ref = Trees.map(spec.get("issuerRef"));
    K8sObject issuer =
        find(plan, (String) ref.get("kind"), "istio-system", (String) ref.get("name"));
    assertThat(spec(issuer)).containsKey("ca");
    Map<String, Object> caRef =
        Trees.map(
            spec(find(plan, "Certificate", "istio-system", GatewayPatch.CA_CERTIFICATE))
                .get("issuerRef"));
    assertThat(spec(find(plan, "Issuer", "istio-system", (String) caRef.get("name"))))
        .containsKey("selfSigned");
    assertThat(Trees.map(server(plan, 80).get("tls"))).containsEntry("httpsRedirect", true);
    assertThat(service(plan).get("type")).isEqualTo("LoadBalancer");
  }

  @ParameterizedTest
  @MethodSource("releases")
  void cookiesAreSecureWithHttpsEverywhere(String release) {
    InstallPlan plan = patched(release, SELF_SIGNED_LB);
    assertThat(forceHttps(plan)).containsOnly("true").isNotEmpty();
    assertThat(secureCookies(plan)).hasSize(3).containsOnly("true");
    assertThat(plan.warnings()).noneMatch(w -> w.contains("INSECURE"));
  }

  @ParameterizedTest
  @MethodSource("releases")
  void allowInsecureHttpTurnsEveryCookieFlagOffLoudly(String release) {
    InstallPlan plan =
        patched(release, "  expose: nodePort\n  host: 10.0.0.5\n  allowInsecureHttp: true\n");
    assertThat(secureCookies(plan)).hasSize(3).containsOnly("false");
    assertThat(forceHttps(plan)).containsOnly("false").isNotEmpty();
    assertThat(plan.warnings())
        .anyMatch(w -> w.startsWith("INSECURE") && w.contains("APP_SECURE_COOKIES=false"));
    Map<String, Object> svc = service(plan);
    assertThat(svc.get("type")).isEqualTo("NodePort");
    assertThat(Trees.list(svc.get("ports")))
        .extracting(
            p -> List.of(Trees.map(p).get("port"), String.valueOf(Trees.map(p).get("nodePort"))))
        .contains(List.of(80, "30080"), List.of(443, "30443"));
    assertThat(plan.components()).noneMatch(c -> c.id().equals(GatewayPatch.TLS_COMPONENT));
    assertThat(server(plan, 443)).isNull();
  }

  @ParameterizedTest
  @MethodSource("releases")
  void theTlsComponentComesAfterCertManagerAndIstio(String release) {
    InstallPlan plan = patched(release, SELF_SIGNED_LB);
    PlannedComponent tls = component(plan, GatewayPatch.TLS_COMPONENT);
    assertThat(tls.spec().dependsOn()).contains("cert-manager", "istio-install");
    for (String dep : tls.spec().dependsOn()) {
      assertThat(component(plan, dep).wave()).isLessThan(tls.wave());
    }
    List<Integer> waves = plan.components().stream().map(PlannedComponent::wave).toList();
    assertThat(waves).isSorted();
    assertThat(tls.objects()).extracting(K8sObject::namespace).containsOnly("istio-system");
  }

  @ParameterizedTest
  @MethodSource("releases")
  void anIsolatedGatewayGetsAPolicyAdmittingTheExposure(String release) {
    InstallPlan plan = patched(release, SELF_SIGNED_LB);
    List<K8sObject> isolating = new ArrayList<>();
    for (PlannedComponent c : SimulatedPlans.of(release).components()) {
      for (K8sObject o : c.objects()) {
        if (o.kind().equals("NetworkPolicy")
            && "istio-system".equals(o.namespace())
            && GatewayPatch.selectsGatewayPods(Trees.map(spec(o).get("podSelector")))) {
          isolating.add(o);
        }
      }
    }
    K8sObject admit =
        findOrNull(plan, "NetworkPolicy", "istio-system", GatewayPatch.EXPOSURE_POLICY);
    if (release.equals(Fixtures.V26_03.tag())) {
      // default-allow-same-namespace-istio-system and allow-knative-to-istio-gateways
      assertThat(isolating).extracting(K8sObject::name).contains("allow-knative-to-istio-gateways");
    }
    if (isolating.isEmpty()) {
      assertThat(admit).as("nothing isolates the gateway in " + release).isNull();
      return;
    }
    assertThat(admit).isNotNull();
    Map<String, Object> rule = Trees.map(Trees.list(spec(admit).get("ingress")).get(0));
    assertThat(rule).as("any source: a node, ServiceLB, a browser").doesNotContainKey("from");
    assertThat(Trees.list(rule.get("ports")))
        .extracting(p -> Trees.map(p).get("port"))
        .containsExactly(8080, 8443);
    assertThat(GatewayPatch.selectsGatewayPods(Trees.map(spec(admit).get("podSelector")))).isTrue();
    String owner = componentOf(plan, admit);
    assertThat(component(plan, owner).adaptations())
        .anyMatch(
            a ->
                a.startsWith(
                        "gateway-exposure-networkpolicy: NetworkPolicy istio-system/"
                            + GatewayPatch.EXPOSURE_POLICY
                            + " (the release's NetworkPolicies")
                    && a.contains("k3s enforces them"));
    assertThat(Trees.map(Trees.map(admit.body().get("metadata")).get("annotations")))
        .containsKey("kfboot.io/reason");
    assertThat(
            component(
                    plan,
                    componentOf(
                        plan, find(plan, "Service", "istio-system", "istio-ingressgateway")))
                .adaptations())
        .contains("gateway-service-type: Service istio-system/istio-ingressgateway");
  }

  @ParameterizedTest
  @MethodSource("releases")
  void acmeHttp01KeepsTheChallengeOpenAndPort80Plain(String release) {
    InstallPlan plan =
        patched(
            release,
            "  expose: loadBalancer\n  host: "
                + HOST
                + "\n  tls: {mode: acme, acme: {email: ops@lab.example}}\n");
    for (String name :
        List.of("istio-ingressgateway-oauth2-proxy", "istio-ingressgateway-require-jwt")) {
      K8sObject policy = find(plan, "AuthorizationPolicy", "istio-system", name);
      for (Object r : Trees.list(spec(policy).get("rules"))) {
        for (Object t : Trees.list(Trees.map(r).get("to"))) {
          assertThat(Trees.list(Trees.map(Trees.map(t).get("operation")).get("notPaths")))
              .contains(GatewayPatch.ACME_CHALLENGE_PATH, "/dex/*", "/oauth2/*");
        }
      }
    }
    assertThat(Trees.map(server(plan, 80).get("tls"))).doesNotContainKey("httpsRedirect");
    K8sObject issuer = find(plan, "Issuer", "istio-system", GatewayPatch.ACME_ISSUER);
    Map<String, Object> acme = Trees.map(spec(issuer).get("acme"));
    assertThat(acme).containsEntry("email", "ops@lab.example");
    assertThat(Trees.list(acme.get("solvers")))
        .containsExactly(Map.of("http01", Map.of("ingress", Map.of("class", "istio"))));
    assertThat(plan.warnings()).anyMatch(w -> w.contains("HTTP-01"));
  }

  @Test
  void acmeDns01RedirectsAndLeavesThePoliciesAlone() {
    String release = Fixtures.V26_03.tag();
    InstallPlan plan =
        patched(
            release,
            "  expose: loadBalancer\n  host: "
                + HOST
                + "\n  tls:\n    mode: acme\n    acme:\n"
                + "      email: ops@lab.example\n      dns01:\n        cloudflare:\n"
                + "          apiTokenSecretRef: {name: cf, key: token}\n");
    assertThat(Trees.map(server(plan, 80).get("tls"))).containsEntry("httpsRedirect", true);
    assertThat(
            find(plan, "AuthorizationPolicy", "istio-system", "istio-ingressgateway-require-jwt"))
        .isEqualTo(
            find(
                SimulatedPlans.of(release),
                "AuthorizationPolicy",
                "istio-system",
                "istio-ingressgateway-require-jwt"));
    assertThat(spec(find(plan, "Issuer", "istio-system", GatewayPatch.ACME_ISSUER)).toString())
        .contains("dns01={cloudflare={apiTokenSecretRef={name=cf, key=token}}}");
  }

  @Test
  void anExistingSecretIsServedAndNothingIsIssued() {
    InstallPlan plan =
        patched(
            Fixtures.V1_10_2.tag(),
            "  expose: loadBalancer\n  host: "
                + HOST
                + "\n  tls: {mode: existingSecret, secretName: lab-wildcard}\n");
    assertThat(Trees.map(server(plan, 443).get("tls")))
        .containsEntry("credentialName", "lab-wildcard");
    assertThat(plan.components()).noneMatch(c -> c.id().equals(GatewayPatch.TLS_COMPONENT));
  }

  @Test
  void upstreamsPortForwardChangesNothingButTheProxyFlagItAlreadyHas() {
    InstallPlan before = SimulatedPlans.of(Fixtures.V26_03.tag());
    InstallPlan after = GatewayPatch.apply(before, GatewayConfig.DEFAULTS);
    assertThat(after.components()).isEqualTo(before.components());
  }

  @Test
  void v181sShapeWithoutOauth2ProxyStillGetsHttps() {
    // v1.8.1 authenticates with oidc-authservice: no oauth2-proxy, no gateway AuthorizationPolicies
    // of its own; kubeflow-gateway and the Service as in v1.10 (common/istio-1-17)
    InstallPlan v1102 = SimulatedPlans.v1102();
    List<K8sObject> kept = new ArrayList<>();
    for (PlannedComponent c : v1102.components()) {
      for (K8sObject o : c.objects()) {
        boolean gatewayOrService =
            (o.kind().equals("Gateway") && o.name().equals("kubeflow-gateway"))
                || (o.kind().equals("Service") && o.name().equals("istio-ingressgateway"))
                || (o.kind().equals("Deployment") && o.name().equals("cert-manager-webhook"))
                || (o.kind().equals("Deployment") && GatewayPatch.WEB_APPS.contains(o.name()));
        if (gatewayOrService) {
          kept.add(o);
        }
      }
    }
    PlannedComponent first = v1102.components().get(0);
    InstallPlan v181 =
        new InstallPlan(
            v1102.tree(), v1102.kustomize(), List.of(first.withObjects(kept)), List.of());
    InstallPlan plan =
        GatewayPatch.apply(
            v181,
            GatewayConfigReaderTest.parse(
                "  expose: loadBalancer\n  host: " + HOST + "\n  tls: {mode: selfSigned}\n"));
    assertThat(Trees.map(server(plan, 443).get("tls")))
        .containsEntry("credentialName", GatewayPatch.TLS_SECRET);
    assertThat(plan.components())
        .extracting(PlannedComponent::id)
        .contains(GatewayPatch.TLS_COMPONENT);
  }

  @Test
  void aPartialPlanWithoutKubeflowGatewayWarnsInsteadOfFailing() {
    InstallPlan v1102 = SimulatedPlans.v1102();
    List<PlannedComponent> without = new ArrayList<>();
    for (PlannedComponent c : v1102.components()) {
      without.add(
          c.withObjects(c.objects().stream().filter(o -> !o.kind().equals("Gateway")).toList()));
    }
    InstallPlan partial = new InstallPlan(v1102.tree(), v1102.kustomize(), without, List.of());
    InstallPlan plan = GatewayPatch.apply(partial, GatewayConfigReaderTest.parse(SELF_SIGNED_LB));
    assertThat(plan.warnings()).anyMatch(w -> w.contains("no Gateway kubeflow/kubeflow-gateway"));
    assertThat(service(plan).get("type")).isEqualTo("LoadBalancer");
  }

  @Test
  void aPlanWithoutTheGatewayIsRefused() {
    InstallPlan v1102 = SimulatedPlans.v1102();
    InstallPlan empty =
        new InstallPlan(
            v1102.tree(),
            v1102.kustomize(),
            List.of(v1102.components().get(0).withObjects(List.of())),
            List.of());
    assertThatThrownBy(
            () -> GatewayPatch.apply(empty, GatewayConfigReaderTest.parse(SELF_SIGNED_LB)))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("no Service istio-system/istio-ingressgateway");
  }

  // --- reading the plan

  static Map<String, Object> server(InstallPlan plan, int port) {
    for (Object s :
        Trees.list(spec(find(plan, "Gateway", "kubeflow", "kubeflow-gateway")).get("servers"))) {
      if (Integer.valueOf(port).equals(Trees.map(Trees.map(s).get("port")).get("number"))) {
        return Trees.map(s);
      }
    }
    return null;
  }

  static Map<String, Object> service(InstallPlan plan) {
    return spec(find(plan, "Service", "istio-system", "istio-ingressgateway"));
  }

  /** FORCE_HTTPS of every ConfigMap that has it. */
  static List<Object> forceHttps(InstallPlan plan) {
    List<Object> out = new ArrayList<>();
    all(plan).stream()
        .filter(o -> o.kind().equals("ConfigMap"))
        .map(o -> Trees.map(o.body().get("data")).get("FORCE_HTTPS"))
        .filter(v -> v != null)
        .forEach(out::add);
    return out;
  }

  /** APP_SECURE_COOKIES of every container that sets it. */
  static List<Object> secureCookies(InstallPlan plan) {
    List<Object> out = new ArrayList<>();
    for (K8sObject o : all(plan)) {
      if (!o.kind().equals("Deployment")) {
        continue;
      }
      Map<String, Object> pod = Trees.map(Trees.map(spec(o).get("template")).get("spec"));
      for (Object c : Trees.list(pod.get("containers"))) {
        for (Object e : Trees.list(Trees.map(c).get("env"))) {
          if ("APP_SECURE_COOKIES".equals(Trees.map(e).get("name"))) {
            out.add(Trees.map(e).get("value"));
          }
        }
      }
    }
    return out;
  }

  static List<K8sObject> all(InstallPlan plan) {
    return plan.components().stream().flatMap(c -> c.objects().stream()).toList();
  }

  static Map<String, Object> spec(K8sObject o) {
    return Trees.map(o.body().get("spec"));
  }

  static PlannedComponent component(InstallPlan plan, String id) {
    return plan.components().stream().filter(c -> c.id().equals(id)).findFirst().orElseThrow();
  }

  static String componentOf(InstallPlan plan, K8sObject o) {
    return plan.components().stream()
        .filter(c -> c.objects().contains(o))
        .findFirst()
        .orElseThrow()
        .id();
  }

  static K8sObject find(InstallPlan plan, String kind, String ns, String name) {
    K8sObject o = findOrNull(plan, kind, ns, name);
    assertThat(o).as(kind + " " + ns + "/" + name).isNotNull();
    return o;
  }

  static K8sObject findOrNull(InstallPlan plan, String kind, String ns, String name) {
    return all(plan).stream()
        .filter(o -> o.kind().equals(kind) && ns.equals(o.namespace()) && o.name().equals(name))
        .findFirst()
        .orElse(null);
  }
}
