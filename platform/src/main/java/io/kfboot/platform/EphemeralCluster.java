package io.kfboot.platform;

import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.verify.check.CheckResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * An ephemeral Kubeflow for a CI job: a k3s in Docker (Testcontainers' K3sContainer, the k3s kfboot
 * installs on hosts, Traefik disabled as K3sContainer starts it), the selected components installed
 * by the engine, then the verify suite with a JUnit report; the container removed at the end unless
 * kept.
 */
public final class EphemeralCluster {
  /** The k3s kfboot installs on hosts, as a container image. */
  public static final String K3S_IMAGE =
      "rancher/k3s:" + InventoryLoader.DEFAULT_K3S_VERSION.replace('+', '-');

  public static final int PHASES = 3;

  private final PlatformSettings settings;
  private final PlatformListener listener;

  public EphemeralCluster(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /** The verify results, and where the kept cluster's kubeconfig is (null when it was removed). */
  public record Result(List<CheckResult> verify, Path keptKubeconfig) {}

  public Result run(VerifySuite.Options verify, boolean keep) throws IOException {
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      docker = false;
    }
    if (!docker) {
      throw new KfbootException(
          "no Docker engine found (Testcontainers looked at DOCKER_HOST and /var/run/docker.sock)",
          "run it where Docker runs privileged containers (a CI runner with Docker), or install"
              + " onto a cluster with 'kfboot install'",
          ExitCategory.MISSING_TOOL);
    }
    K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE));
    Path kubeconfig = null;
    try {
      listener.phase(1, PHASES, "k3s " + K3S_IMAGE + " in Docker");
      k3s.start();
      kubeconfig =
          Files.createTempFile(
              "kfboot-ci-",
              ".kubeconfig",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
      PlatformSettings onCluster =
          settings.withKubeconfig(kubeconfig, null).withCredentialsFile(credentialsOf(kubeconfig));
      listener.phase(2, PHASES, "install");
      new Installation(onCluster, listener).install();
      listener.phase(3, PHASES, "verify");
      List<CheckResult> results = new VerifySuite(onCluster, verify, listener).run();
      return new Result(results, keep ? kubeconfig : null);
    } finally {
      if (!keep) {
        k3s.stop();
        if (kubeconfig != null) {
          Files.deleteIfExists(kubeconfig);
          Files.deleteIfExists(credentialsOf(kubeconfig));
        }
      }
    }
  }

  /** The ephemeral cluster's credentials live beside its kubeconfig and go with it. */
  private static Path credentialsOf(Path kubeconfig) {
    return kubeconfig.resolveSibling(kubeconfig.getFileName() + ".credentials");
  }
}
