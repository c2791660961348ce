package io.kfboot.gpu;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.Step;

/**
 * The NVIDIA container toolkit on GPU hosts, from NVIDIA's package repository, so that k3s finds
 * {@code nvidia-container-runtime} and registers the "nvidia" runtime in its containerd. The
 * repository setup follows NVIDIA's install guide:
 * https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html
 */
public final class ContainerToolkitStep implements Step {
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

  static final Command DOCKER_DEFAULT_RUNTIME =
      Command.of("docker", "info", "--format", "{{.DefaultRuntime}}");

  @Override
  public void apply(HostContext host) {
    if (!host.root(Command.shell("command -v nvidia-container-runtime")).ok()) {
      boolean apt = host.root(Command.shell("command -v apt-get")).ok();
      host.rootOk(
          Command.shell(apt ? APT_SCRIPT : DNF_SCRIPT), "installing nvidia-container-toolkit");
    }
    if (docker(host)) {
      // NVIDIA's tool edits /etc/docker/daemon.json, keeping what else is there
      // (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html#configuring-docker)
      host.rootOk(
          Command.of("nvidia-ctk", "runtime", "configure", "--runtime=docker", "--set-as-default"),
          "making nvidia Docker's default runtime");
      host.rootOk(Command.of("systemctl", "restart", "docker"), "restarting Docker");
    }
  }
}
