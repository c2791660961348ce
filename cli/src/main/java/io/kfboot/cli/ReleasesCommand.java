package io.kfboot.cli;

import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ReleaseCatalog;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code kfboot releases}: the releases this kfboot has catalogs for. */
@Command(
    name = "releases",
    mixinStandardHelpOptions = true,
    description = "List the supported kubeflow/manifests releases with their pinned commits.")
final class ReleasesCommand implements Callable<Integer> {
  private final Main.Context context;

  ReleasesCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    for (ReleaseCatalog c : Catalogs.shipped().catalogs()) {
      context
          .out()
          .printf(
              "%-10s %s  kustomize >= %s, %d components (%d default)%n",
              c.release().tag(),
              c.release().commit(),
              c.kustomizeMinVersion(),
              c.components().size(),
              c.defaults().size());
    }
    return ExitCodes.OK;
  }
}
