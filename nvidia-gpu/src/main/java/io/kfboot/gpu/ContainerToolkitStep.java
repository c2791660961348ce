package io.kfboot.gpu;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.Removable;
import io.kfboot.bootstrap.steps.Step;
import java.util.ArrayList;
import java.util.List;

/**
 * The NVIDIA container toolkit on GPU hosts, from NVIDIA's package repository, so that k3s finds
 * {@code nvidia-container-runtime} and registers the "nvidia" runtime in its containerd. The
 * repository setup follows NVIDIA's install guide:
 * https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html
 */
public final class ContainerToolkitStep implements Step, Removable {
  /** Left by apply where kfboot installed the toolkit, so that reset removes only what it added. */
  static final String PACKAGE_MARKER = "/var/lib/kfboot/nvidia-container-toolkit-installed";

  /** Docker's daemon.json as it was before nvidia-ctk made nvidia its default runtime. */
  static final String DOCKER_BACKUP = "/var/lib/kfboot/docker-daemon.json.before-nvidia";

  static final String DOCKER_CONFIG = "/etc/docker/daemon.json";

  /** The content of {@link #DOCKER_BACKUP} when Docker had no daemon.json. */
  static final String NO_FILE = "kfboot: there was no " + DOCKER_CONFIG + "\n";

  static final String APT_SCRIPT =
      "set -e; KEYRING=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg; curl -fsSL"
          + " https://nvidia.github.io/libnvidia-container/gpgkey | gpg --batch --yes --dearmor -o"
          + " \"$KEYRING\"; curl -fsSL"
          + " https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list"
          + " | sed \"s#deb https://#deb [signed-by=$KEYRING] https://#g\" >"
          + " /etc/apt/sources.list.d/nvidia-container-toolkit.list; apt-get update -q;"
          + " DEBIAN_FRONTEND=noninteractive apt-get install -y -q nvidia-container-toolkit";
  static final String DNF_SCRIPT =
      "set -e; curl -fsSL"
          + " https://nvidia.github.io/libnvidia-container/stable/rpm/nvidia-container-toolkit.repo"
          + " > /etc/yum.repos.d/nvidia-container-toolkit.repo; dnf install -y"
          + " nvidia-container-toolkit";

  @Override
  public String id() {
    return "nvidia-container-toolkit";
  }

  @Override
  public String description() {
    return "the NVIDIA container toolkit on GPU hosts (nvidia-container-runtime)";
  }

  @Override
  public Check check(HostContext host) {
    if (!host.spec().gpu()) {
      return Check.ok("no GPU in the inventory");
    }
    if (host.inventory().nvidia().operator()) {
      return Check.ok("left to the NVIDIA GPU Operator (nvidia.operator: true)");
    }
    if (!host.root(Command.shell("command -v nvidia-container-runtime")).ok()) {
      return Check.change("install nvidia-container-toolkit from NVIDIA's repository");
    }
    if (docker(host) && !"nvidia".equals(host.root(DOCKER_DEFAULT_RUNTIME).stdout().strip())) {
      return Check.change("make nvidia Docker's default runtime");
    }
    return Check.ok(
        "nvidia-container-runtime present" + (docker(host) ? ", Docker's default runtime" : ""));
  }

  /** With Docker, k3s runs pods through cri-dockerd: Docker's own default runtime decides. */
  private static boolean docker(HostContext host) {
    return host.inventory().containerRuntime().equals("docker");
  }

  /**
   * Undone only where kfboot did it: Docker's daemon.json back as it was (and Docker restarted),
   * then the toolkit and NVIDIA's repository removed where kfboot installed them.
   */
  @Override
  public Step undo() {
    return Step.of(
        "nvidia-container-toolkit-removed",
        "the NVIDIA container toolkit removed, and Docker's runtime restored, where kfboot set them"
            + " up",
        h -> {
          List<String> todo = new ArrayList<>();
          if (h.file(DOCKER_BACKUP).isPresent()) {
            todo.add("restore " + DOCKER_CONFIG);
          }
          if (h.file(PACKAGE_MARKER).isPresent()) {
            todo.add("remove nvidia-container-toolkit");
          }
          return todo.isEmpty()
              ? Check.ok(
                  "kfboot did not install the NVIDIA container toolkit or change Docker's runtime")
              : Check.change(String.join(", ", todo));
        },
        h -> {
          h.file(DOCKER_BACKUP)
              .ifPresent(
                  before -> {
                    if (before.equals(NO_FILE)) {
                      h.rootOk(
                          Command.of("rm", "-f", "--", h.path(DOCKER_CONFIG)),
                          "removing " + DOCKER_CONFIG);
                    } else {
                      h.write(DOCKER_CONFIG, before, 0644);
                    }
                    h.rootOk(Command.of("systemctl", "restart", "docker"), "restarting Docker");
                    h.rootOk(
                        Command.of("rm", "-f", "--", h.path(DOCKER_BACKUP)),
                        "removing " + DOCKER_BACKUP);
                  });
          if (h.file(PACKAGE_MARKER).isPresent()) {
            h.rootOk(Command.shell(REMOVE_SCRIPT), "removing nvidia-container-toolkit");
            h.rootOk(
                Command.of("rm", "-f", "--", h.path(PACKAGE_MARKER)), "removing " + PACKAGE_MARKER);
          }
        });
  }

  static final String REMOVE_SCRIPT =
      "set -e; if command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get remove"
          + " -y -q nvidia-container-toolkit nvidia-container-toolkit-base; rm -f"
          + " /etc/apt/sources.list.d/nvidia-container-toolkit.list"
          + " /usr/share/keyrings/nvidia-container-toolkit-keyring.gpg; else dnf remove -y"
          + " nvidia-container-toolkit; rm -f /etc/yum.repos.d/nvidia-container-toolkit.repo; fi";

  static final Command DOCKER_DEFAULT_RUNTIME =
      Command.of("docker", "info", "--format", "{{.DefaultRuntime}}");

  @Override
  public void apply(HostContext host) {
    if (!host.root(Command.shell("command -v nvidia-container-runtime")).ok()) {
      boolean apt = host.root(Command.shell("command -v apt-get")).ok();
      host.rootOk(
          Command.shell(apt ? APT_SCRIPT : DNF_SCRIPT), "installing nvidia-container-toolkit");
      host.write(
          PACKAGE_MARKER,
          "kfboot installed nvidia-container-toolkit; 'kfboot hosts reset' removes it\n",
          0644);
    }
    if (docker(host)) {
      if (host.file(DOCKER_BACKUP).isEmpty()) {
        host.write(DOCKER_BACKUP, host.file(DOCKER_CONFIG).orElse(NO_FILE), 0600);
      }
      // NVIDIA's tool edits /etc/docker/daemon.json, keeping what else is there
      // (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html#configuring-docker)
      host.rootOk(
          Command.of("nvidia-ctk", "runtime", "configure", "--runtime=docker", "--set-as-default"),
          "making nvidia Docker's default runtime");
      host.rootOk(Command.of("systemctl", "restart", "docker"), "restarting Docker");
    }
  }
}
