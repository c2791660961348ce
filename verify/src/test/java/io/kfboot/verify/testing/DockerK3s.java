package io.kfboot.verify.testing;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kfboot.testing.Skips;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real k3s in a container for the *IT tests, at the version kfboot installs on hosts. Where no
 * Docker engine can run one, the test is skipped and the reason printed, never faked.
 */
public final class DockerK3s {
  public static final String IMAGE = "rancher/k3s:v1.32.4-k3s1";

  private DockerK3s() {}

  /** Skips the calling test, saying why, when Testcontainers finds no Docker engine. */
  public static void requireDockerOrSkip() {
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      docker = false;
    }
    if (!docker) {
      String reason = "no Docker engine here, so no k3s container (Testcontainers found none)";
      Skips.unavailable(false, reason); // CI has no Docker engine either: an honest skip there too
    }
  }

  public static K3sContainer container() {
    return new K3sContainer(DockerImageName.parse(IMAGE));
  }

  /** A client for the started container, with fabric8's own retries off as kfboot sets them. */
  public static KubernetesClient client(K3sContainer k3s) {
    Config config =
        new ConfigBuilder(Config.fromKubeconfig(k3s.getKubeConfigYaml()))
            .withRequestRetryBackoffLimit(0)
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
