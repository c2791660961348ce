package io.kfboot.cli;

import io.kfboot.bootstrap.inventory.InventoryLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kfboot ci}: an ephemeral Kubeflow for a CI job. A k3s in Docker (Testcontainers'
 * K3sContainer, the k3s kfboot installs on hosts, Traefik disabled as K3sContainer starts it), the
 * selected components installed by the engine, then verify with a JUnit report; the container is
 * removed at the end unless {@code --keep}.
 */
@Command(
    name = "ci",
    mixinStandardHelpOptions = true,
    description = "Start an ephemeral k3s in Docker, install the selected components, run verify and write JUnit XML; the cluster is"
        + " removed afterwards unless --keep. Needs a Docker engine that runs privileged containers (exit 5 without one).")
final class CiCommand implements Callable<Integer> {
  /** The k3s kfboot installs on hosts, as a container image. */
  static final String K3S_IMAGE = "rancher/k3s:" + InventoryLoader.DEFAULT_K3S_VERSION.replace('+', '-');
  private final Main.Context context;

  @Mixin ReleaseOptions release = new ReleaseOptions();
  @Mixin SelectionOptions selection = new SelectionOptions();

  @Option(names = "--report-junit", paramLabel = "FILE", description = "Where verify's JUnit XML goes (default: ${DEFAULT-VALUE}).")
  Path junit = Path.of("kfboot-verify.xml");

  @Option(names = "--timeout", paramLabel = "DURATION", description = "How long one gate or check may take (default: ${DEFAULT-VALUE}).")
  String timeout = "10m";

  @Option(names = "--skip", split = ",", paramLabel = "ID", description = "Verify checks to leave out (as for verify).")
  java.util.List<String> skip = new java.util.ArrayList<>();

  @Option(names = "--keep", description = "Leave the cluster running; its kubeconfig path is printed.")
  boolean keep;

  CiCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() throws IOException {
    InstallCommand.InstallTuning.parseDuration("--timeout", timeout);
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      docker = false;
    }
    if (!docker) {
      throw new UpCommand.MissingToolException("no Docker engine found (Testcontainers looked at DOCKER_HOST and /var/run/docker.sock)",
          "run it where Docker runs privileged containers (a CI runner with Docker), or install onto a cluster with 'kfboot install'");
    }
    K3sContainer k3s = new K3sContainer(DockerImageName.parse(K3S_IMAGE));
    try {
      context.err().println("== [1/3] k3s " + K3S_IMAGE + " in Docker");
      k3s.start();
      Path kubeconfig = Files.createTempFile("kfboot-ci-", ".kubeconfig", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(kubeconfig, k3s.getKubeConfigYaml());
      ClusterOptions cluster = new ClusterOptions();
      cluster.kubeconfig = kubeconfig;

      context.err().println("== [2/3] install");
      InstallCommand install = new InstallCommand(context);
      install.release = release;
      install.selection = selection;
      install.cluster = cluster;
      install.tuning.timeout = timeout;
      install.credentials = kubeconfig.resolveSibling(kubeconfig.getFileName() + ".credentials");
      install.call();

      context.err().println("== [3/3] verify");
      VerifyCommand verify = new VerifyCommand(context);
      verify.cluster = cluster;
      verify.junit = junit;
      verify.timeout = timeout;
      verify.skip = skip;
      verify.credentials = install.credentials;
      int code = verify.call();
      context.out().println("JUnit report: " + junit.toAbsolutePath() + (keep ? "; cluster kept, kubeconfig " + kubeconfig : ""));
      return code;
    } finally {
      if (!keep) {
        k3s.stop();
      }
    }
  }
}
