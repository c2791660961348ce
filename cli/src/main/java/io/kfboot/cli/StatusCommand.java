package io.kfboot.cli;

import io.kfboot.components.install.InstallState;
import io.kfboot.platform.Installation;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code kfboot status}: what kfboot recorded on the cluster. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Show what kfboot installed on a cluster: release, commit, phase, how the last run ended"
            + " and the components whose gates held. Exit 0 when an install completed, 3 when none"
            + " did (none, partial or failed).")
final class StatusCommand extends BaseCommand {
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.Output output = new Options.Output();

  StatusCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    cluster.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    Optional<InstallState> state = new Installation(settings, listener(settings)).status();
    if (output.json()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("schemaVersion", 1);
      m.put("installed", state.isPresent());
      state.ifPresent(
          s -> {
            m.put("release", s.release());
            m.put("commit", s.commit());
            m.put("source", s.source());
            m.put("phase", s.phase());
            m.put("lastRun", s.lastRun());
            m.put("components", s.done());
            m.put("updated", s.updated());
          });
      printJson(m);
    } else if (state.isEmpty()) {
      print(
          "kfboot has installed nothing on this cluster (no "
              + InstallState.NAMESPACE
              + "/"
              + InstallState.NAME
              + " ConfigMap)\n"
              + "  fix: install Kubeflow with 'kfboot install' (or the whole path with 'kfboot"
              + " up'); a platform installed otherwise is still checked by 'kfboot verify'");
    } else {
      InstallState s = state.get();
      print(
          "kubeflow/manifests "
              + s.release()
              + " ("
              + s.commit()
              + "): "
              + s.phase()
              + ", updated "
              + s.updated()
              + (s.lastRun().isEmpty() ? "" : "; last run " + s.lastRun())
              + "\n"
              + "components ready: "
              + (s.done().isEmpty() ? "none" : String.join(", ", s.done())));
    }
    return Installation.complete(state) ? ExitCodes.OK : ExitCodes.UNEXPECTED_STATE;
  }
}
