package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.gateway.GatewayPatch;
import io.kfboot.components.install.InstallReport;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.components.testing.Slapd;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Trees;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.verify.check.CheckResult;
import io.kfboot.verify.http.FakeKubeflowGateway;
import io.kfboot.verify.http.TestTls;
import io.kfboot.verify.testing.SimulatedCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The team inventory of issue 14 end to end on the simulated cluster: an LDAP directory (a real
 * slapd), three static users, two profiles with contributors and quotas, HTTPS with the cluster's
 * own CA on a LoadBalancer gateway; planned, installed, reached and verified.
 */
class TeamInstallTest {
  static final String HOST = "kubeflow.lab.example";
  static final String ISSUER = "https://" + HOST + "/dex";
  static final List<String> PROFILES = List.of("team-vision", "team-nlp");

  @TempDir Path tmp;

  Path inventory(Slapd slapd) throws Exception {
    String text =
        "cluster: lab\n"
            + "k3s:\n"
            + "  token: {env: K3S_TOKEN}\n"
            + "hosts:\n"
            + "  - {name: server-1, address: 10.0.0.11, role: server}\n"
            + "gateway:\n"
            + "  expose: loadBalancer\n"
            + "  host: "
            + HOST
            + "\n"
            + "  tls: {mode: selfSigned}\n"
            + "auth:\n"
            + IdentityInstallTest.groupsAndUsers("")
            + "  connectors:\n"
            + slapd.connectorYaml()
            + "profiles:\n"
            + "  - name: team-vision\n"
            + "    owner: alice@lab.example\n"
            + "    resourceQuotaSpec: {hard: {requests.nvidia.com/gpu: \"2\"}}\n"
            + "    contributors: [{group: ml-team, role: edit}, {user: carol@lab.example, role:"
            + " view}]\n"
            + "  - name: team-nlp\n"
            + "    owner: bob@lab.example\n"
            + "    resourceQuotaSpec: {hard: {cpu: \"16\", memory: 64Gi}}\n"
            // a group only the directory knows: its members come from the LDAP connector
            + "    contributors: [{group: admins, role: edit}]\n";
    return Files.writeString(tmp.resolve("inventory.yaml"), text);
  }

  PlatformSettings settings(Path inventory, Path kubeconfig) {
    return IdentityInstallTest.teamSettings(tmp, inventory, kubeconfig, Slapd.BIND_PW);
  }

  @Test
  void theTeamInventoryPlansInstallsIsReachedOverHttpsAndVerifies() throws Exception {
    Fixtures.kustomize();
    try (Slapd slapd = Slapd.start(Files.createDirectories(tmp.resolve("ldap")));
        SimulatedCluster cluster = SimulatedCluster.start(SimulatedCluster.Latencies.fast());
        KubernetesClient client = cluster.newClient()) {
      Path kubeconfig = Files.writeString(tmp.resolve("kubeconfig"), cluster.kubeconfig());
      cluster.node("server-1", Map.of(), Map.of());
      Path inventory = inventory(slapd);

      // the plan, offline
      InstallPlan plan =
          new ReleasePlanner(settings(inventory, null), Progress.SILENT).offlinePlan();
      assertThat(plan.components())
          .extracting(PlannedComponent::id)
          .contains(GatewayPatch.TLS_COMPONENT);
      String dexConfig = (String) data(plan, "ConfigMap", "auth", "dex").get("config.yaml");
      assertThat(((Map<?, ?>) new Yaml().load(dexConfig)).get("issuer"))
          .as("the issuer follows the gateway's HTTPS name")
          .isEqualTo(ISSUER);
      assertThat(plan.toString()).doesNotContain(Slapd.BIND_PW);

      // the profile controller's namespaces (the simulated cluster runs no profile controller)
      for (String ns : PROFILES) {
        client
            .namespaces()
            .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
            .create();
      }
      PlatformSettings settings = settings(inventory, kubeconfig);
      Installation.Installed done = new Installation(settings, PlatformListener.SILENT).install();
      assertThat(done.report().components())
          .extracting(InstallReport.ComponentResult::id)
          .contains(GatewayPatch.TLS_COMPONENT, "dex", "oauth2-proxy");

      Service svc =
          client.services().inNamespace("istio-system").withName("istio-ingressgateway").get();
      assertThat(svc.getSpec().getType()).isEqualTo("LoadBalancer");
      GenericKubernetesResource cert =
          client
              .genericKubernetesResources("cert-manager.io/v1", "Certificate")
              .inNamespace("istio-system")
              .withName(GatewayPatch.CERTIFICATE)
              .get();
      assertThat(cert).isNotNull();
      assertThat(cert.getAdditionalProperties().get("spec").toString()).contains(HOST);
      assertThat(client.genericKubernetesResources("kubeflow.org/v1", "Profile").list().getItems())
          .extracting(p -> p.getMetadata().getName())
          .containsAll(PROFILES);

      assertThat(client.rbac().roleBindings().inNamespace("team-nlp").list().getItems())
          .as("the directory's group admins (alice) as contributors of team-nlp")
          .extracting(rb -> rb.getMetadata().getName())
          .containsExactly("user-alice-lab-example-clusterrole-edit");

      // nothing issues the certificate on the simulated cluster: verify says so and where to look
      CheckResult pending =
          result(
              verify(inventory, kubeconfig, null, "gateway-certificate", Duration.ofSeconds(1)),
              "gateway-certificate");
      assertThat(pending.status()).isEqualTo(CheckResult.Status.FAILED);
      assertThat(pending.detail())
          .contains("Certificate istio-system/kubeflow-gateway not Ready")
          .contains("describe certificate kubeflow-gateway");

      // cert-manager's part, which the simulated cluster does not run: the serving Secret with
      // the CA that signed it (here the certificate is its own CA), and the Certificate Ready
      TestTls tls = TestTls.make(tmp, "gateway", "ip:127.0.0.1,dns:" + HOST);
      String pem = Files.readString(tls.pem());
      client
          .secrets()
          .inNamespace("istio-system")
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName(GatewayPatch.TLS_SECRET)
                  .endMetadata()
                  .withType("kubernetes.io/tls")
                  .addToData("tls.crt", b64(pem))
                  .addToData("tls.key", b64("not used here"))
                  .addToData("ca.crt", b64(pem))
                  .build())
          .create();

      GenericKubernetesResource issued =
          client
              .genericKubernetesResources("cert-manager.io/v1", "Certificate")
              .inNamespace("istio-system")
              .withName(GatewayPatch.CERTIFICATE)
              .get();
      issued.setAdditionalProperty(
          "status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True"))));
      client
          .genericKubernetesResources("cert-manager.io/v1", "Certificate")
          .inNamespace("istio-system")
          .resource(issued)
          .updateStatus();

      Gateway.Reach reach = Gateway.reach(settings);
      assertThat(reach.url()).isEqualTo("https://" + HOST);
      assertThat(reach.caFile()).isNotNull();
      assertThat(Files.readString(reach.caFile())).isEqualTo(pem);

      // verify over HTTPS, trusting the exported CA, the cluster's RoleBindings deciding access
      Properties creds = new Properties();
      try (var r = Files.newBufferedReader(done.credentialsFile())) {
        creds.load(r);
      }
      try (FakeKubeflowGateway gateway =
          new FakeKubeflowGateway("admin@lab.example", creds.getProperty("adminPassword"), tls)) {
        for (String u : List.of("alice", "bob")) {
          gateway.withUser(
              u + "@lab.example", creds.getProperty("user." + u + "@lab.example.password"));
        }
        gateway.authorizing(rbac(client));
        List<CheckResult> results = verify(inventory, kubeconfig, gateway);
        assertThat(results)
            .filteredOn(
                r -> List.of("gateway-certificate", "dex-login", "profile-access").contains(r.id()))
            .hasSize(3)
            .allSatisfy(
                r ->
                    assertThat(r.status())
                        .as(r.id() + ": " + r.detail())
                        .isEqualTo(CheckResult.Status.PASSED));
        assertThat(detail(results, "profile-access"))
            .isEqualTo(
                "team-vision: alice@lab.example allowed, admin@lab.example refused;"
                    + " team-nlp: alice@lab.example allowed, admin@lab.example refused");

        // a binding someone made by hand that lets everybody in is caught
        gateway.authorizing((user, ns) -> true);
        CheckResult open = result(verify(inventory, kubeconfig, gateway), "profile-access");
        assertThat(open.status()).isEqualTo(CheckResult.Status.FAILED);
        assertThat(open.detail()).contains("admin@lab.example is no member of profile team-vision");
      }
    }
  }

  /** Whom the cluster lets use a namespace: the Profile's owner, or a User subject there. */
  static BiPredicate<String, String> rbac(KubernetesClient client) {
    return (user, ns) -> {
      GenericKubernetesResource profile =
          client.genericKubernetesResources("kubeflow.org/v1", "Profile").withName(ns).get();
      if (profile != null
          && user.equals(
              Trees.map(Trees.map(profile.getAdditionalProperties().get("spec")).get("owner"))
                  .get("name"))) {
        return true;
      }
      for (RoleBinding rb : client.rbac().roleBindings().inNamespace(ns).list().getItems()) {
        if (rb.getSubjects().stream()
            .anyMatch(s -> "User".equals(s.getKind()) && user.equals(s.getName()))) {
          return true;
        }
      }
      return false;
    };
  }

  private List<CheckResult> verify(Path inventory, Path kubeconfig, FakeKubeflowGateway gw) {
    return verify(inventory, kubeconfig, gw, "profile-access", Duration.ofSeconds(60));
  }

  private List<CheckResult> verify(
      Path inventory, Path kubeconfig, FakeKubeflowGateway gw, String check, Duration timeout) {
    SettingsInput in = new SettingsInput();
    in.inventory = inventory;
    in.kubeconfig = kubeconfig;
    in.gatewayUrl = gw == null ? null : gw.url().toString();
    in.quiet = true;
    Map<String, String> env = new HashMap<>();
    env.put("HOME", tmp.resolve("home").toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    // the directory's groups are read as at install
    env.put("LDAP_BIND_PW", Slapd.BIND_PW);
    VerifySuite.Options d = VerifySuite.Options.defaults();
    VerifySuite.Options only =
        new VerifySuite.Options(
            List.of(check), List.of(), d.namespace(), timeout, d.poll(), 1, null);
    return new VerifySuite(PlatformSettings.resolve(in, env), only, PlatformListener.SILENT).run();
  }

  private static CheckResult result(List<CheckResult> results, String id) {
    return results.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
  }

  private static String detail(List<CheckResult> results, String id) {
    return result(results, id).detail();
  }

  private static Map<String, Object> data(InstallPlan plan, String kind, String ns, String name) {
    for (PlannedComponent c : plan.components()) {
      for (K8sObject o : c.objects()) {
        if (o.kind().equals(kind) && ns.equals(o.namespace()) && o.name().equals(name)) {
          return Trees.map(o.body().get("data"));
        }
      }
    }
    throw new AssertionError(kind + " " + ns + "/" + name + " is not planned");
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
