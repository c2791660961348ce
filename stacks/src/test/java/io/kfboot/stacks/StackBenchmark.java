package io.kfboot.stacks;

import com.pulumi.core.Output;
import com.pulumi.test.TestResult;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.auth.CredentialsPatch;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.k3s.IstioCniK3sPaths;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.Planner;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * bench/run pulumi: the full v1.10.2 stack (5 hosts with a GPU one, NFS storage, every default
 * component) registered under Pulumi's mocks, against the time to render the plan it is built from,
 * alternating, one JVM per run (bench/run computes medians and prints "pulumi: resources=N ratio=X
 * rss_mib=M"). Arguments: "render" times the plan only; "stack" times the stack.
 */
public final class StackBenchmark {
  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "stack";
    Kustomize kustomize = Fixtures.kustomize();
    ReleaseTree tree = Fixtures.tree(Fixtures.V1_10_2);
    Path dir = Files.createTempDirectory("kfboot-bench");
    Path known =
        Files.writeString(
            dir.resolve("known_hosts"),
            "10.0.0.11 ssh-ed25519"
                + " AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n");
    StackConfig config =
        StackConfig.parse(
            Map.of(
                "inventory",
                HostLayerTest.INVENTORY.replace(
                    "\"cluster\": \"lab\",",
                    "\"cluster\": \"lab\", \"storage\": {\"mode\": \"nfs\", \"nfs\": {\"server\":"
                        + " \"server-1\"}},"),
                "knownHosts",
                known.toString()),
            Set.of("k3sToken", "sshPrivateKey"),
            dir);
    Credentials creds =
        Credentials.loadOrCreate(
                dir.resolve("creds.properties"), "admin@example.org", new SecureRandom())
            .credentials();
    long t0 = System.nanoTime();
    InstallPlan p =
        new Planner(
                new Renderer(
                    kustomize,
                    Runtime.getRuntime().availableProcessors(),
                    Duration.ofMinutes(3),
                    Progress.SILENT),
                Progress.SILENT)
            .plan(
                new Planner.Request(
                    tree,
                    Catalogs.shipped().require(tree.release()),
                    List.of(),
                    List.of(),
                    false,
                    List.of(new IstioCniK3sPaths())),
                kustomize.describe());
    double render = (System.nanoTime() - t0) / 1e9;
    if (mode.equals("render")) {
      System.out.printf("render %.3f%n", render);
      System.exit(0);
    }
    InstallPlan withCreds = CredentialsPatch.apply(p, creds);
    long t1 = System.nanoTime();
    StackHarness h = new StackHarness();
    TestResult r =
        h.run(
            ctx ->
                KfbootStack.define(
                    ctx,
                    config,
                    withCreds,
                    creds,
                    new KfbootStack.Secrets(Output.ofSecret("token"), Output.ofSecret("key"), null),
                    dir.resolve("inventory.yaml").toString(),
                    "kfboot"));
    double stack = (System.nanoTime() - t1) / 1e9;
    if (!r.exceptions().isEmpty()) {
      throw new IllegalStateException("the stack failed under mocks", r.exceptions().get(0));
    }
    // one run per JVM, as the engine starts the program once per update (a second full stack in the
    // same JVM has been seen to stall in Pulumi's test runtime)
    System.out.printf("stack %d %.3f %d%n", h.byName.size(), stack, peakRssMib());
    System.exit(0);
  }

  /** Peak resident set of this JVM (VmHWM), MiB. */
  private static long peakRssMib() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }
}
