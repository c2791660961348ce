package io.kfboot.cli;

import io.kfboot.verify.testing.SimulatedCluster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** One in-process run of the kfboot command with an explicit environment. */
record CliRun(int code, String out, String err) {
  /** A kubeconfig for a test cluster at {@code server}, written into {@code dir}. */
  static Path kubeconfig(Path dir, SimulatedCluster cluster) throws IOException {
    Path f = dir.resolve("kubeconfig");
    Files.writeString(f, cluster.kubeconfig());
    return f;
  }

  /**
   * A controlled environment for a run: PATH (for kustomize, kubectl, git, ssh-keygen) and a home,
   * config and cache of the test's own; nothing inherited that would change kfboot's choices
   * (KUBECONFIG, HOME, K3S_TOKEN, SSH_AUTH_SOCK, any KFBOOT_ variable).
   */
  static Map<String, String> env(Path tmp) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("HOME", tmp.resolve("home").toString());
    env.put("XDG_CONFIG_HOME", tmp.resolve("config").toString());
    env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
    return env;
  }

  static CliRun of(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        Main.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new CliRun(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
