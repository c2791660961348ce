package io.kfboot.stacks;

import com.pulumi.Context;
import com.pulumi.core.Output;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.k3s.ClusterBootstrap;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.components.upgrade.UpgradeException;
import io.kfboot.core.Digests;
import io.kfboot.core.KfbootException;
import io.kfboot.platform.Hosts;
import io.kfboot.platform.Setting;
import io.kfboot.platform.UpgradePlan;
import io.kfboot.stacks.providers.LocalCommand;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The whole stack: with an inventory, its hosts ({@link HostLayer}) and then Kubeflow on the
 * cluster they make; without, Kubeflow on the cluster of the secret kubeconfig ({@link
 * KubeflowStack}); then, unless {@code kfboot:skipVerify}, the same verify suite {@code kfboot
 * verify} runs, after every component and host, failing the update when a check fails.
 */
public final class KfbootStack {
  private KfbootStack() {}

  /** The stack's secret config values; null where the config has none. */
  public record Secrets(
      Output<String> k3sToken, Output<String> sshPrivateKey, Output<String> kubeconfig) {}

  /** The resource names of the verify step, for tests and docs. */
  public static final String VERIFY = "kfboot-verify";

  /** The resource name of the profiles step. */
  public static final String PROFILES = "kfboot-profiles";

  /** The stores check before the release's writes, with external stores. */
  public static final String STORES_CHECK = "kfboot-stores-check";

  public static final String BACKUP = "kfboot-backup";

  public static void define(
      Context ctx,
      StackConfig config,
      InstallPlan releasePlan,
      Credentials credentials,
      Secrets secrets,
      String inventoryFile,
      String kfboot) {
    define(
        ctx,
        config,
        releasePlan,
        credentials,
        secrets,
        inventoryFile,
        kfboot,
        null,
        UpgradePreview.NONE);
  }

  /**
   * What {@code kfboot upgrade --plan} would say of deploying the stack's release on the cluster of
   * a kubeconfig: empty where kfboot installed nothing there or it holds that release already.
   */
  @FunctionalInterface
  public interface UpgradePreview {
    Optional<UpgradePlan> of(String kubeconfig);

    UpgradePreview NONE = k -> Optional.empty();
  }

  /**
   * @param inventoryFile where the inventory for {@code kfboot hosts step} was written
   * @param kfboot the command line that runs this kfboot
   * @param credentialsFile where the stack's credentials are kept, for verify's login; null:
   *     verify's default
   * @param preview the upgrade a change of the stack's release makes on its cluster, shown by
   *     {@code pulumi preview} and {@code up} as {@code upgrade --plan} shows it
   */
  public static void define(
      Context ctx,
      StackConfig config,
      InstallPlan releasePlan,
      Credentials credentials,
      Secrets secrets,
      String inventoryFile,
      String kfboot,
      Path credentialsFile,
      UpgradePreview preview) {
    Output<String> kubeconfig;
    List<Resource> after = new ArrayList<>();
    if (config.inventory() != null) {
      HostLayer.Result hosts =
          HostLayer.define(
              config,
              inventoryFile,
              kfboot,
              Hosts.plan(config.inventory()),
              secrets.k3sToken(),
              secrets.sshPrivateKey(),
              ClusterBootstrap.joinUrl(config.inventory()));
      kubeconfig = hosts.kubeconfig();
      after.add(hosts.ready());
      ctx.export("kubeconfig", kubeconfig);
    } else {
      kubeconfig = secrets.kubeconfig();
    }
    ctx.export("upgradePlan", upgradePlan(ctx, kubeconfig, preview));
    List<Resource> beforeWrites = new ArrayList<>();
    beforeWrites.add(backup(releasePlan, kubeconfig, kfboot, after));
    if (config.stores().anyExternal()) {
      beforeWrites.add(storesCheck(config, kubeconfig, kfboot, after));
    }
    KubeflowStack.Defined defined =
        KubeflowStack.define(
            ctx, config, releasePlan, credentials, kubeconfig, List.copyOf(beforeWrites));
    after.addAll(defined.resources());
    if (!config.access().profiles().isEmpty()) {
      after.add(profiles(config, kubeconfig, kfboot, after));
    }
    if (!config.skipVerify()) {
      verify(ctx, config, defined.plan(), kubeconfig, kfboot, credentialsFile, after);
    }
  }

  /**
   * The upgrade plan as JSON (empty when none is pending), its text in the engine's log. A plan
   * with refusals, or an upgrade kfboot refuses (a downgrade, an unsupported pair), fails the
   * program with the same error and fix as {@code kfboot upgrade --plan}, before the engine changes
   * anything. A cluster that cannot be reached yet (the host layer makes it) has no plan.
   */
  static Output<String> upgradePlan(
      Context ctx, Output<String> kubeconfig, UpgradePreview preview) {
    return kubeconfig.applyValue(
        k -> {
          Optional<UpgradePlan> plan;
          try {
            plan = preview.of(k);
          } catch (UpgradeException e) {
            throw e;
          } catch (KfbootException e) {
            ctx.log().warn("no upgrade preview: " + e.getMessage());
            return "";
          }
          if (plan.isEmpty()) {
            return "";
          }
          UpgradePlan p = plan.get();
          ctx.log().info(p.toText());
          p.requireNoRefusals();
          return Serialization.asJson(p.toJson());
        });
  }

  /**
   * {@code kfboot verify} as a {@code command:local:Command}: the kubeconfig only in its secret
   * environment, run again when the release, commit, components or inventory change.
   */
  /**
   * {@code kfboot backup --before-upgrade-to RELEASE} as a {@code command:local:Command} that every
   * write of the release waits for: when the stack's release changes on a cluster kfboot installed
   * another on, the backup {@code kfboot upgrade} takes (dumps, the bucket listing) is taken before
   * anything changes; on a fresh cluster or the same release it writes nothing. Run again when the
   * release or its commit changes.
   */
  private static LocalCommand backup(
      InstallPlan plan, Output<String> kubeconfig, String kfboot, List<Resource> after) {
    String create =
        kfboot + " backup --before-upgrade-to " + Command.quote(plan.tree().release().tag());
    List<Object> triggers = List.of(plan.tree().release().tag(), plan.tree().release().commit());
    Output<Map<String, String>> environment =
        kubeconfig.applyValue(k -> Map.of(Setting.KUBECONFIG_CONTENT_ENV, k)).asSecret();
    return new LocalCommand(
        BACKUP,
        new LocalCommand.Args(create, null, environment, triggers),
        CustomResourceOptions.builder().dependsOn(List.copyOf(after)).build());
  }

  /**
   * {@code kfboot stores check} as a {@code command:local:Command} that every write of the release
   * waits for: with external stores, a wrong password, a missing privilege or bucket fails the
   * update before Pipelines or Katib are pointed at them, as {@code kfboot install} does. The store
   * sections travel in its secret environment; the secrets they reference come from the engine's
   * environment. Run again when the sections change.
   */
  private static LocalCommand storesCheck(
      StackConfig config, Output<String> kubeconfig, String kfboot, List<Resource> after) {
    return new LocalCommand(
        STORES_CHECK,
        new LocalCommand.Args(
            kfboot + " stores check",
            null,
            commandEnvironment(config, kubeconfig),
            List.of(Digests.sha256Hex(config.accessYaml()))),
        CustomResourceOptions.builder().dependsOn(List.copyOf(after)).build());
  }

  /**
   * {@code kfboot profiles apply} as a {@code command:local:Command} after every component: the
   * profiles step of {@code kfboot install}, which waits for the profile controller's namespaces
   * and never deletes a Profile; run again when the access sections change. Removing it from the
   * stack deletes nothing (a removed profile turns stale at the next apply).
   */
  private static LocalCommand profiles(
      StackConfig config, Output<String> kubeconfig, String kfboot, List<Resource> after) {
    Output<Map<String, String>> environment = commandEnvironment(config, kubeconfig);
    return new LocalCommand(
        PROFILES,
        new LocalCommand.Args(
            kfboot + " profiles apply",
            null,
            environment,
            List.of(Digests.sha256Hex(config.accessYaml()))),
        CustomResourceOptions.builder().dependsOn(List.copyOf(after)).build());
  }

  /** The kubeconfig (secret) and the access sections, for kfboot's own commands. */
  private static Output<Map<String, String>> commandEnvironment(
      StackConfig config, Output<String> kubeconfig) {
    return kubeconfig
        .applyValue(
            k -> {
              Map<String, String> env = new LinkedHashMap<>();
              env.put(Setting.KUBECONFIG_CONTENT_ENV, k);
              if (config.accessYaml() != null) {
                env.put(Setting.ACCESS_YAML_ENV, config.accessYaml());
              }
              return Map.copyOf(env);
            })
        .asSecret();
  }

  private static void verify(
      Context ctx,
      StackConfig config,
      InstallPlan plan,
      Output<String> kubeconfig,
      String kfboot,
      Path credentialsFile,
      List<Resource> after) {
    String junit = Path.of(".kfboot", ctx.stackName() + "-verify.xml").toAbsolutePath().toString();
    String create =
        kfboot
            + " verify --report-junit "
            + Command.quote(junit)
            + (credentialsFile == null
                ? ""
                : " --credentials " + Command.quote(credentialsFile.toString()))
            + (config.verifySkip().isEmpty()
                ? ""
                : " --skip " + Command.quote(String.join(",", config.verifySkip())));
    List<Object> triggers =
        List.of(
            plan.tree().release().tag(),
            plan.tree().release().commit(),
            String.join(",", plan.components().stream().map(PlannedComponent::id).toList()),
            config.inventoryYaml() == null ? "" : Digests.sha256Hex(config.inventoryYaml()),
            config.accessYaml() == null ? "" : Digests.sha256Hex(config.accessYaml()));
    Output<Map<String, String>> environment = commandEnvironment(config, kubeconfig);
    LocalCommand verify =
        new LocalCommand(
            VERIFY,
            new LocalCommand.Args(create, null, environment, triggers),
            CustomResourceOptions.builder().dependsOn(after).build());
    ctx.export("verifyReport", verify.stdout());
    ctx.export("verifyJunit", Output.of(junit));
  }
}
