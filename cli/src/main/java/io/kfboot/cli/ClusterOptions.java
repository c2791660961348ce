package io.kfboot.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Which cluster: the kubeconfig the way kubectl finds it (--kubeconfig, then KUBECONFIG, then
 * ~/.kube/config) and an optional context.
 */
final class ClusterOptions {
  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "Kubeconfig file. Env KUBECONFIG (first file); default: ~/.kube/config.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context (default: its current context).")
  String context;

  /** The kubeconfig file that will be used, and where its choice came from. */
  record Source(Path file, String origin) {}

  Source source(Map<String, String> env) {
    if (kubeconfig != null) {
      return new Source(kubeconfig, "--kubeconfig");
    }
    String fromEnv = env.get("KUBECONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      // kubectl merges every file of a KUBECONFIG list; kfboot reads the first.
      return new Source(Path.of(fromEnv.split(File.pathSeparator)[0]), "KUBECONFIG");
    }
    String home = Optional.ofNullable(env.get("HOME")).orElse(System.getProperty("user.home"));
    return new Source(Path.of(home, ".kube", "config"), "the default ~/.kube/config");
  }

  Source requireKubeconfig(Map<String, String> env) {
    Source s = source(env);
    if (!Files.isRegularFile(s.file())) {
      throw new CliException(
          "no kubeconfig at " + s.file() + " (from " + s.origin() + ")",
          "pass --kubeconfig FILE (k3s writes /etc/rancher/k3s/k3s.yaml), or set KUBECONFIG");
    }
    return s;
  }

  KubernetesClient connect(Map<String, String> env) {
    Source s = requireKubeconfig(env);
    Config config;
    try {
      config = Config.fromKubeconfig(context, s.file().toFile());
    } catch (RuntimeException e) {
      throw new CliException("cannot use kubeconfig " + s.file() + ": " + e.getMessage(),
          "check the file with 'kubectl --kubeconfig " + s.file() + " config view'" + (context == null ? "" : " and that context " + context + " exists"));
    }
    if (context != null && (config.getCurrentContext() == null || !context.equals(config.getCurrentContext().getName()))) {
      throw new CliException("kubeconfig " + s.file() + " has no context " + context,
          "list its contexts with 'kubectl --kubeconfig " + s.file() + " config get-contexts'");
    }
    // kfboot retries transient failures itself, at one level; fabric8's own retries stay off.
    Config tuned = new ConfigBuilder(config).withRequestRetryBackoffLimit(0).withUserAgent("kfboot/" + VersionProvider.version()).build();
    return new KubernetesClientBuilder().withConfig(tuned).build();
  }

  /** A name for this cluster, safe in a file name: the context, else the server's host. */
  String clusterName(KubernetesClient client) {
    String name = client.getConfiguration().getCurrentContext() != null
        ? client.getConfiguration().getCurrentContext().getName()
        : java.net.URI.create(client.getConfiguration().getMasterUrl()).getHost();
    return name == null ? "default" : name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
