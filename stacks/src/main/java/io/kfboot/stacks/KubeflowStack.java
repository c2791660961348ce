package io.kfboot.stacks;

import com.pulumi.Context;
import com.pulumi.core.Output;
import com.pulumi.kubernetes.Provider;
import com.pulumi.kubernetes.ProviderArgs;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.install.AppliedInventory;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.platform.ReleasePlanner;
import io.kfboot.stacks.providers.KubernetesObject;
import io.kfboot.stacks.providers.ProviderVersions;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The Kubernetes layer of the stack: an explicit provider for the cluster, then every component of
 * the plan (storage, GPU and the release's, as {@code kfboot plan} lists them) as a {@link
 * KubeflowComponent} that depends on the components the catalog's graph says. The plan is the
 * CLI's: same render, same k3s adaptations, same generated credentials.
 */
public final class KubeflowStack {
  private KubeflowStack() {}

  /**
   * @param releasePlan the release's components, rendered and with credentials set, as {@code
   *     kfboot plan} makes them; the stack adds storage and, when asked or when hosts have GPUs,
   *     the GPU component
   */
  public static Defined define(
      Context ctx,
      StackConfig config,
      InstallPlan releasePlan,
      Credentials credentials,
      Output<String> kubeconfig) {
    return define(ctx, config, releasePlan, credentials, kubeconfig, List.of());
  }

  /**
   * @param before what must finish before the stack writes anything to the cluster (the backup an
   *     upgrade takes)
   */
  public static Defined define(
      Context ctx,
      StackConfig config,
      InstallPlan releasePlan,
      Credentials credentials,
      Output<String> kubeconfig,
      List<Resource> before) {
    // k3s' bundled local-path is assumed: a stack cannot look at a cluster before it exists
    // (docs/pulumi.md); set storage.mode existing for a cluster without it
    InstallPlan plan =
        ReleasePlanner.withPlatform(
            releasePlan, config.storage(), config.nvidia(), config.wantsGpu(), true);
    Provider provider =
        new Provider(
            "kfboot-cluster",
            ProviderArgs.builder()
                .kubeconfig(kubeconfig)
                // as the CLI: server-side apply, since several upstream CRDs exceed client-side
                // apply's 256 KiB annotation
                .enableServerSideApply(true)
                .build(),
            CustomResourceOptions.builder().version(ProviderVersions.KUBERNETES).build());
    List<K8sObject> all = plan.components().stream().flatMap(c -> c.objects().stream()).toList();
    Scopes scopes = new Scopes(all);
    Set<String> secrets = new HashSet<>();
    secrets.addAll(
        List.of(
            credentials.passwordHash(),
            credentials.oidcClientSecret(),
            credentials.cookieSecret(),
            credentials.adminPassword()));
    // the static users' hashes: inline in Dex's ConfigMap on releases without hashFromEnv
    credentials.users().values().forEach(u -> secrets.add(u.hash()));
    // What 'kfboot install' records before it writes (AppliedInventory): every object of the plan
    // by component, written before any component, so that the CLI's status, uninstall and upgrade
    // read a stack-made cluster as one of their own. Pulumi's state remains the stack's own record.
    KubernetesObject inventory =
        new KubernetesObject(
            "kfboot-inventory",
            body(AppliedInventory.of(plan).toConfigMap()),
            CustomResourceOptions.builder()
                .provider(provider)
                .dependsOn(List.copyOf(before))
                .build());
    Map<String, KubeflowComponent> registered = new HashMap<>();
    // plan order has every dependency before its dependents
    for (PlannedComponent c : plan.components()) {
      List<Resource> deps = new ArrayList<>(List.of(inventory));
      for (String dep : c.spec().dependsOn()) {
        KubeflowComponent d = registered.get(dep);
        if (d == null) {
          throw new IllegalStateException(
              "plan order broken: " + c.id() + " comes before its dependency " + dep);
        }
        deps.add(d);
      }
      registered.put(
          c.id(),
          new KubeflowComponent(
              c,
              scopes,
              secrets,
              ComponentResourceOptions.builder().providers(provider).dependsOn(deps).build()));
    }
    // The record 'kfboot install' keeps, so that 'kfboot status' reads a stack-made cluster and a
    // CLI install of another release onto it is refused. No timestamp: it would change on every
    // update.
    InstallState state =
        new InstallState(
            plan.tree().release().tag(),
            plan.tree().release().commit(),
            "pulumi:" + ctx.projectName() + "/" + ctx.stackName(),
            "installed",
            plan.components().stream().map(PlannedComponent::id).toList(),
            "");
    KubernetesObject record =
        new KubernetesObject(
            "kfboot-install-state",
            body(state.toConfigMap()),
            CustomResourceOptions.builder()
                .provider(provider)
                .dependsOn(new ArrayList<>(registered.values()))
                .build());
    ctx.export("release", Output.of(plan.tree().release().tag()));
    ctx.export("commit", Output.of(plan.tree().release().commit()));
    ctx.export(
        "components", Output.of(plan.components().stream().map(PlannedComponent::id).toList()));
    ctx.export("adminEmail", Output.of(credentials.adminEmail()));
    ctx.export("adminPassword", Output.ofSecret(credentials.adminPassword()));
    ctx.export("gateway", Output.of(gateway(config)));
    List<Resource> resources = new ArrayList<>(registered.values());
    resources.add(inventory);
    resources.add(record);
    return new Defined(plan, resources);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> body(HasMetadata object) {
    return Serialization.unmarshal(Serialization.asJson(object), Map.class);
  }

  /**
   * The plan the stack installs and every resource of it (components, the inventory and the install
   * record).
   */
  public record Defined(InstallPlan plan, List<Resource> resources) {}

  /** How to reach Kubeflow's dashboard through Istio's ingress gateway. */
  static String gateway(StackConfig config) {
    Optional<URI> base = config.access().gateway().publicBase();
    if (base.isPresent()) {
      return base.get()
          + (base.get().getScheme().equals("https")
              ? " (its CA: 'kfboot access -i INVENTORY' exports it)"
              : "");
    }
    if (config.gatewayServiceType() == null) {
      return "kubectl port-forward -n istio-system svc/istio-ingressgateway 8080:80, then"
          + " http://localhost:8080";
    }
    String host =
        config.inventory() == null
            ? "<a node's address>"
            : config.inventory().k3s().apiEndpoint() != null
                ? config.inventory().k3s().apiEndpoint()
                : config.inventory().servers().get(0).address();
    return config.gatewayServiceType().equals("NodePort")
        ? "http://" + host + ":<nodePort of svc/istio-ingressgateway port 80 in istio-system>"
        : "http://<the LoadBalancer address of svc/istio-ingressgateway in istio-system>";
  }
}
