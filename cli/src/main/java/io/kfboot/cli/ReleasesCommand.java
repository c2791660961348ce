package io.kfboot.cli;

import io.kfboot.platform.Releases;
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
    for (Releases.Supported r : Releases.supported()) {
      context
          .out()
          .printf(
              "%-10s %s  kustomize >= %s, %d components (%d default)%n",
              r.tag(), r.commit(), r.kustomizeMinVersion(), r.components(), r.defaults());
    }
    context.out().flush();
    return ExitCodes.OK;
  }
}
