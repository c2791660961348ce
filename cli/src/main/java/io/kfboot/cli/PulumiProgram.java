package io.kfboot.cli;

import com.pulumi.Context;
import com.pulumi.Pulumi;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.auth.CredentialsPatch;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.stacks.KfbootStack;
import io.kfboot.stacks.StackConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * kfboot.jar as a Pulumi program: when the Pulumi engine starts it ({@code runtime: java}, see
 * stacks/Pulumi.yaml), {@link Main} hands over here. The release plan is made exactly as {@code
 * kfboot plan} makes it, credentials are kept as {@code kfboot install} keeps them (one 0600 file
 * per stack), and the stack's layers come from the {@code stacks} module.
 */
final class PulumiProgram {
  /** Set by the Pulumi language host for the program it runs. */
  static final String ENGINE_ENV = "PULUMI_MONITOR";

  private PulumiProgram() {}

  static boolean underEngine(Map<String, String> env, String[] args) {
    return args.length == 0 && env.get(ENGINE_ENV) != null;
  }

  static void run(Map<String, String> env, PrintStream err) {
    Pulumi.run(ctx -> define(ctx, env, err));
  }

  static void define(Context ctx, Map<String, String> env, PrintStream err) {
    var config = ctx.config(StackConfig.NAMESPACE);
    Map<String, String> values = new LinkedHashMap<>();
    Set<String> keys = new TreeSet<>(StackConfig.KEYS);
    for (String key : keys) {
      config.get(key).ifPresent(v -> values.put(key, v));
    }
    Set<String> present = new TreeSet<>();
    for (String key : StackConfig.SECRET_KEYS) {
      if (config.get(key).isPresent()) {
        present.add(key);
      }
    }
    StackConfig stack = StackConfig.parse(values, present, Path.of("."));
    Main.Context cli = new Main.Context(env, System.out, err);
    ReleaseOptions release = new ReleaseOptions();
    release.manifests = stack.manifests().isEmpty() ? null : stack.manifests();
    release.quiet = true;
    SelectionOptions selection = new SelectionOptions();
    selection.components = stack.components();
    selection.without = stack.without();
    selection.gatewayServiceType = stack.gatewayServiceType();
    // the stack adds storage and GPUs itself, from its own config
    InstallPlan releasePlan = PlanCommand.makePlan(release, selection, null, cli);
    Path credentialsFile = Path.of(env.getOrDefault("XDG_CONFIG_HOME", System.getProperty("user.home") + "/.config"))
        .resolve("kfboot").resolve("credentials").resolve("pulumi-" + ctx.projectName() + "-" + ctx.stackName() + ".properties");
    Credentials credentials = Credentials.loadOrCreate(credentialsFile, stack.adminEmail(), new SecureRandom()).credentials();
    InstallPlan withCredentials = CredentialsPatch.apply(releasePlan, credentials);
    String inventoryFile = stack.inventory() == null ? null : writeInventory(ctx.stackName(), stack.inventoryYaml()).toString();
    KfbootStack.Secrets secrets = new KfbootStack.Secrets(
        present.contains("k3sToken") ? config.requireSecret("k3sToken") : null,
        present.contains("sshPrivateKey") ? config.requireSecret("sshPrivateKey") : null,
        present.contains("kubeconfig") ? config.requireSecret("kubeconfig") : null);
    KfbootStack.define(ctx, stack, withCredentials, credentials, secrets, inventoryFile, selfCommand());
  }

  /** The inventory the host steps read, beside the project: .kfboot/&lt;stack&gt;-inventory.yaml. */
  private static Path writeInventory(String stackName, String yaml) {
    try {
      Path dir = Files.createDirectories(Path.of(".kfboot"));
      return Files.writeString(dir.resolve(stackName + "-inventory.yaml"), yaml).toAbsolutePath();
    } catch (IOException e) {
      throw new CliException("cannot write the stack's inventory under .kfboot: " + e.getMessage(), "check that the project folder is writable");
    }
  }

  /** This very kfboot, as a command line for the host steps: same jar, same Java. */
  static String selfCommand() {
    try {
      Path jar = Path.of(PulumiProgram.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path java = Path.of(System.getProperty("java.home"), "bin", "java");
      return io.kfboot.bootstrap.command.Command.quote(java.toString()) + " -cp " + io.kfboot.bootstrap.command.Command.quote(jar.toString())
          + " " + Main.class.getName();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException("kfboot cannot find its own jar", e);
    }
  }
}
