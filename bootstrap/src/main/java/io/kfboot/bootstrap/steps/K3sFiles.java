package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.k3s.K3sConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The files k3s reads at start: token, config.yaml and, when mirrors are set, registries.yaml. */
final class K3sFiles {
  private K3sFiles() {}

  /**
   * The k3s files: token (0600), config.yaml (0600), registries.yaml (0600) when mirrors are set.
   */
  static List<Step> steps(String token, boolean first, String joinUrl, Map<String, String> env) {
    List<Step> steps = new ArrayList<>();
    steps.add(
        new FileStep("k3s-token", K3sConfig.TOKEN_FILE, 0600, h -> token + "\n", List.of()) {
          @Override
          public String description() {
            return K3sConfig.TOKEN_FILE + " (mode 0600; content not shown)";
          }
        });
    steps.add(
        new FileStep(
            "k3s-config",
            K3sConfig.PATH,
            0600,
            h -> K3sConfig.render(h.inventory(), h.spec(), first, joinUrl, h.discoveredLabels()),
            List.of()));
    steps.add(new RegistryTlsFiles());
    steps.add(
        new FileStep(
            HostSteps.K3S_REGISTRIES,
            K3sConfig.REGISTRIES_PATH,
            0600,
            h -> K3sConfig.registries(h.inventory().registries(), env),
            List.of()) {
          @Override
          public Check check(HostContext host) {
            // registries taken out of the inventory leave an empty file, not none: k3s then runs
            // without mirrors, and the newer file makes k3s-restarted roll the node
            if (host.inventory().registries().isEmpty()
                && !host.root(Command.of("test", "-e", host.path(K3sConfig.REGISTRIES_PATH)))
                    .ok()) {
              return Check.ok("no registries configured");
            }
            return super.check(host);
          }
        });
    steps.add(new ImageArchives());
    return steps;
  }
}
