package io.kfboot.platform;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.Yaml;

/**
 * Which cluster: the kubeconfig the way kubectl finds it (the flag, then the first file of
 * KUBECONFIG, then ~/.kube/config) and an optional context; connected with fabric8's own retries
 * off, since kfboot retries transient failures itself, at one level.
 */
public final class ClusterConnection {
  private final PlatformSettings.ClusterTarget target;
  private final Map<String, String> env;

  public ClusterConnection(PlatformSettings settings) {
    this(settings.cluster(), settings.env());
  }

  public ClusterConnection(PlatformSettings.ClusterTarget target, Map<String, String> env) {
    this.target = target;
    this.env = env;
  }

  /** The kubeconfig file that will be used, and where its choice came from. */
  public record Source(Path file, String origin) {}

  public Source source() {
    if (target.kubeconfig() != null) {
      return new Source(target.kubeconfig(), "--kubeconfig");
    }
    String fromEnv = env.get("KUBECONFIG");
    if (fromEnv != null && !fromEnv.isBlank()) {
      // kubectl merges every file of a KUBECONFIG list; kfboot reads the first.
      return new Source(Path.of(fromEnv.split(File.pathSeparator)[0]), "KUBECONFIG");
    }
    String home = Optional.ofNullable(env.get("HOME")).orElse(System.getProperty("user.home"));
    return new Source(Path.of(home, ".kube", "config"), "the default ~/.kube/config");
  }

  /**
   * A kubeconfig given as content in {@link Setting#KUBECONFIG_CONTENT_ENV}, unless --kubeconfig
   * names a file.
   */
  private Optional<String> content() {
    return target.kubeconfig() != null
        ? Optional.empty()
        : Optional.ofNullable(env.get(Setting.KUBECONFIG_CONTENT_ENV)).filter(s -> !s.isBlank());
  }

  /** The kubeconfig, which must exist; checked before anything is downloaded or rendered. */
  public Source requireKubeconfig() {
    if (content().isPresent()) {
      return new Source(null, Setting.KUBECONFIG_CONTENT_ENV);
    }
    Source s = source();
    if (!Files.isRegularFile(s.file())) {
      throw new KfbootException(
          "no kubeconfig at " + s.file() + " (from " + s.origin() + ")",
          "pass --kubeconfig FILE (k3s writes /etc/rancher/k3s/k3s.yaml), or set KUBECONFIG",
          ExitCategory.INVALID_INPUT);
    }
    return s;
  }

  /**
   * Whether the user named a kubeconfig (--kubeconfig, KUBECONFIG, or its content in {@link
   * Setting#KUBECONFIG_CONTENT_ENV}) rather than leaving kfboot to find one.
   */
  public boolean named() {
    return target.kubeconfig() != null
        || content().isPresent()
        || Optional.ofNullable(env.get("KUBECONFIG")).filter(s -> !s.isBlank()).isPresent();
  }

  /**
   * A client from a kubeconfig held in memory (the admin kubeconfig fetched from a server), tuned
   * as {@link #connect()} tunes its own.
   *
   * @param where for messages: where the kubeconfig came from
   */
  public static KubernetesClient fromKubeconfig(Map<String, Object> kubeconfig, String where) {
    Config config;
    try {
      config = Config.fromKubeconfig(null, new Yaml().dump(kubeconfig), null);
    } catch (RuntimeException e) {
      throw new KfbootException(
          "cannot use " + where + ": " + e.getMessage(),
          "fetch it with 'kfboot kubeconfig' and pass --kubeconfig",
          ExitCategory.UNEXPECTED_STATE);
    }
    return tuned(config);
  }

  private static KubernetesClient tuned(Config config) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(config)
                .withRequestRetryBackoffLimit(0)
                .withUserAgent("kfboot/" + Version.current())
                .build())
        .build();
  }

  public KubernetesClient connect() {
    Source s = requireKubeconfig();
    String where = s.file() != null ? s.file().toString() : "from " + s.origin();
    String context = target.context();
    Config config;
    try {
      config =
          s.file() != null
              ? Config.fromKubeconfig(context, s.file().toFile())
              : Config.fromKubeconfig(context, content().get(), null);
    } catch (RuntimeException e) {
      throw new KfbootException(
          "cannot use kubeconfig " + where + ": " + e.getMessage(),
          "check it with 'kubectl --kubeconfig FILE config view'"
              + (context == null ? "" : " and that context " + context + " exists"),
          ExitCategory.INVALID_INPUT);
    }
    if (context != null
        && (config.getCurrentContext() == null
            || !context.equals(config.getCurrentContext().getName()))) {
      throw new KfbootException(
          "kubeconfig " + where + " has no context " + context,
          "list its contexts with 'kubectl --kubeconfig FILE config get-contexts'",
          ExitCategory.INVALID_INPUT);
    }
    return tuned(config);
  }

  /** A name for a cluster, safe in a file name: the context, else the server's host. */
  public static String clusterName(KubernetesClient client) {
    String name =
        client.getConfiguration().getCurrentContext() != null
            ? client.getConfiguration().getCurrentContext().getName()
            : URI.create(client.getConfiguration().getMasterUrl()).getHost();
    return name == null ? "default" : name.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
