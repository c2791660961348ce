package io.kfboot.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.install.InstallState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot status}: what kfboot recorded on the cluster. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Show what kfboot installed on a cluster: release, commit, phase and the components whose"
        + " gates held. Exit 0 when an install completed, 3 when none did (none, partial or failed).")
final class StatusCommand implements Callable<Integer> {
  private final Main.Context context;

  @Mixin ClusterOptions cluster = new ClusterOptions();

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text or json (default: ${DEFAULT-VALUE}).", defaultValue = "text")
  OutputFormat output;

  StatusCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    Optional<InstallState> state;
    try (KubernetesClient client = cluster.connect(context.env())) {
      state = InstallState.read(client);
    }
    if (output == OutputFormat.json) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("schemaVersion", 1);
      m.put("installed", state.isPresent());
      state.ifPresent(s -> {
        m.put("release", s.release());
        m.put("commit", s.commit());
        m.put("source", s.source());
        m.put("phase", s.phase());
        m.put("components", s.done());
        m.put("updated", s.updated());
      });
      context.out().println(PlanReport.json(m));
    } else if (state.isEmpty()) {
      context.out().println("kfboot has installed nothing on this cluster (no " + InstallState.NAMESPACE + "/" + InstallState.NAME + " ConfigMap)");
    } else {
      InstallState s = state.get();
      context.out().println("kubeflow/manifests " + s.release() + " (" + s.commit() + "): " + s.phase() + ", updated " + s.updated());
      context.out().println("components ready: " + (s.done().isEmpty() ? "none" : String.join(", ", s.done())));
    }
    context.out().flush();
    return state.map(s -> s.phase().equals("installed")).orElse(false) ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
  }
}
