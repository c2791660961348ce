package io.kfboot.stacks;

import com.pulumi.Context;
import com.pulumi.Pulumi;
import io.kfboot.bootstrap.command.Command;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.platform.CredentialsStore;
import io.kfboot.platform.PlatformListener;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.ReleasePlanner;
import io.kfboot.platform.Setting;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.Upgrades;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * kfboot.jar as a Pulumi program: when the Pulumi engine starts it ({@code runtime: java}, see
 * stacks/Pulumi.yaml), the CLI's main hands over here. The stack config feeds the same {@link
 * SettingsInput} the CLI's flags do, the release plan is the {@link ReleasePlanner}'s, credentials
 * are kept by the {@link CredentialsStore} (one 0600 file per stack), and the layers come from
 * {@link KfbootStack}.
 */
public final class PulumiProgram {
  /** Set by the Pulumi language host for the program it runs. */
  static final String ENGINE_ENV = "PULUMI_MONITOR";

  private PulumiProgram() {}

  public static boolean underEngine(Map<String, String> env, String[] args) {
    return args.length == 0 && env.get(ENGINE_ENV) != null;
  }

  /**
   * @param mainClass the class that runs the kfboot CLI, for the host and verify steps
   */
  public static void run(Map<String, String> env, PrintStream err, String mainClass) {
    Pulumi.run(ctx -> define(ctx, env, err, mainClass));
  }

  static void define(Context ctx, Map<String, String> env, PrintStream err, String mainClass) {
    var config = ctx.config(StackConfig.NAMESPACE);
    StackInputs.Read read = StackInputs.read(config);
    StackConfig stack = read.stack();
    PlatformSettings settings = PlatformSettings.resolve(StackInputs.settings(stack), env);
    // the stack adds storage and GPUs itself, from its own config
    InstallPlan releasePlan = new ReleasePlanner(settings, PlatformListener.SILENT).releasePlan();
    CredentialsStore store =
        CredentialsStore.forStack(env, ctx.projectName(), ctx.stackName(), err::println);
    Credentials credentials =
        store.loadOrCreate(stack.adminEmail(), settings.generatedUsers()).credentials();
    KfbootStack.define(
        ctx,
        stack,
        ReleasePlanner.withAccess(releasePlan, credentials, settings),
        credentials,
        StackInputs.secrets(config, read.secretsPresent()),
        StackInputs.writeInventory(stack, ctx.stackName()),
        selfCommand(mainClass),
        store.file(),
        upgradePreview(stack, env, releasePlan.tree().release().tag()));
  }

  /** kfboot upgrade's plan of {@code release}, on the cluster of the kubeconfig it is given. */
  static KfbootStack.UpgradePreview upgradePreview(
      StackConfig stack, Map<String, String> env, String release) {
    return kubeconfig -> {
      Map<String, String> withCluster = new HashMap<>(env);
      withCluster.put(Setting.KUBECONFIG_CONTENT_ENV, kubeconfig);
      return new Upgrades(
              PlatformSettings.resolve(StackInputs.settings(stack), withCluster),
              PlatformListener.SILENT)
          .pending(release);
    };
  }

  /** This very kfboot, as a command line for the host and verify steps: same jar, same Java. */
  static String selfCommand(String mainClass) {
    try {
      Path jar =
          Path.of(PulumiProgram.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      return Command.quote(java.toString())
          + " -cp "
          + Command.quote(jar.toString())
          + " "
          + mainClass;
    } catch (URISyntaxException e) {
      throw new IllegalStateException("kfboot cannot find its own jar", e);
    }
  }
}
