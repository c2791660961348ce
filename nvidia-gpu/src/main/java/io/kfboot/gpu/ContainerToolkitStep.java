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
  static final String APT_SCRIPT = "set -e; KEYRING=/usr/share/keyrings/nvidia-container-toolkit-keyring.gpg;"
      + " curl -fsSL https://nvidia.github.io/libnvidia-container/gpgkey | gpg --batch --yes --dearmor -o \"$KEYRING\";"
      + " curl -fsSL https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list"
      + " | sed \"s#deb https://#deb [signed-by=$KEYRING] https://#g\" > /etc/apt/sources.list.d/nvidia-container-toolkit.list;"
      + " apt-get update -q; DEBIAN_FRONTEND=noninteractive apt-get install -y -q nvidia-container-toolkit";
  static final String DNF_SCRIPT = "set -e; curl -fsSL https://nvidia.github.io/libnvidia-container/stable/rpm/nvidia-container-toolkit.repo"
      + " > /etc/yum.repos.d/nvidia-container-toolkit.repo; dnf install -y nvidia-container-toolkit";

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
    return host.root(Command.shell("command -v nvidia-container-runtime")).ok()
        ? Check.ok("nvidia-container-runtime present")
        : Check.change("install nvidia-container-toolkit from NVIDIA's repository");
  }

  @Override
  public void apply(HostContext host) {
    boolean apt = host.root(Command.shell("command -v apt-get")).ok();
    host.rootOk(Command.shell(apt ? APT_SCRIPT : DNF_SCRIPT), "installing nvidia-container-toolkit");
  }
}
