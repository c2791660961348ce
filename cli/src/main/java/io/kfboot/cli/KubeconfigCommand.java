package io.kfboot.cli;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.k3s.ClusterBootstrap;
import io.kfboot.bootstrap.k3s.Kubeconfigs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot kubeconfig}: the cluster's admin kubeconfig merged into the user's, 0600. */
@Command(name = "kubeconfig", mixinStandardHelpOptions = true,
    description = "Fetch k3s' admin kubeconfig from the first server, point it at the API endpoint, name it after the"
        + " cluster, and merge it into a kubeconfig file (mode 0600).")
final class KubeconfigCommand implements Callable<Integer> {
  private final Main.Context context;
  @Mixin HostsCommand.HostOptions options = new HostsCommand.HostOptions();

  @Option(names = "--out", paramLabel = "FILE", description = "The kubeconfig to merge into. Env KUBECONFIG (first file); default: ~/.kube/config.")
  Path out;

  KubeconfigCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Inventory inv = options.load();
    ClusterOptions target = new ClusterOptions();
    target.kubeconfig = out;
    Path file = target.source(context.env()).file();
    ClusterBootstrap b = options.bootstrap(inv, context);
    var fresh = b.kubeconfig();
    try {
      String existing = Files.exists(file) ? Files.readString(file) : "";
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".kubeconfig", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, Kubeconfigs.merge(existing, fresh));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new CliException("cannot write " + file + ": " + e.getMessage(), "pass --out with a writable path");
    }
    context.out().println("context " + inv.cluster() + " (" + b.joinUrl() + ") merged into " + file
        + Optional.of("; use it with kubectl --context " + inv.cluster()).get());
    return ExitCodes.OK;
  }
}
