package io.kfboot.gpu;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.Removable;
import io.kfboot.bootstrap.steps.Step;
import java.util.List;
import java.util.stream.Collectors;

/**
 * On hosts the inventory marks {@code gpu: true}: the NVIDIA kernel driver answers nvidia-smi and
 * shows at least one GPU. kfboot does not install kernel drivers by default (it needs the right
 * package for the kernel and usually a reboot), so a missing driver is an error with the fix; with
 * {@code nvidia.installDriver: true} it installs the distribution's driver package. The GPU count
 * becomes the node label {@value GpuChecks#COUNT}, which the allocatable check compares against.
 */
public final class GpuDriverStep implements Step, Removable {
  /**
   * The driver stays: removing a kernel driver (and its DKMS module) under a running system is not
   * undone safely from here, and whatever else uses the GPU needs it. Reset says so on GPU hosts.
   */
  @Override
  public Step undo() {
    return Step.of(
        "nvidia-driver-kept",
        "the NVIDIA driver is left in place",
        h ->
            Check.ok(
                h.spec().gpu() && h.inventory().nvidia().installDriver()
                    ? "kept on purpose: other software may use the GPU; remove it by hand if it"
                        + " should go (apt-get remove 'nvidia-driver-*' or dnf remove"
                        + " nvidia-driver), then reboot"
                    : "kfboot installed no driver here"),
        h -> {});
  }

  @Override
  public String id() {
    return "gpu-driver";
  }

  @Override
  public String description() {
    return "the NVIDIA driver answers nvidia-smi on GPU hosts";
  }

  @Override
  public Check check(HostContext host) {
    if (!host.spec().gpu()) {
      return Check.ok("no GPU in the inventory");
    }
    ExecResult query =
        host.root(Command.of("nvidia-smi").arg(NvidiaSmi.QUERY.toArray(String[]::new)));
    if (!query.ok()) {
      String why = (query.stderr() + query.stdout()).strip();
      return Check.change(
          "nvidia-smi "
              + (query.exitCode() == 127
                  ? "is not installed"
                  : "fails: " + why.lines().findFirst().orElse("exit " + query.exitCode())));
    }
    List<NvidiaSmi.Gpu> gpus = NvidiaSmi.parseGpus(query.stdout());
    if (gpus.isEmpty()) {
      return Check.change("nvidia-smi lists no GPU");
    }
    host.discoveredLabels().put(GpuChecks.COUNT, String.valueOf(gpus.size()));
    String cuda = NvidiaSmi.cudaVersion(host.root(Command.of("nvidia-smi")).stdout());
    String models =
        gpus.stream()
            .collect(Collectors.groupingBy(NvidiaSmi.Gpu::name, Collectors.counting()))
            .entrySet()
            .stream()
            .map(e -> e.getValue() + " x " + e.getKey())
            .sorted()
            .collect(Collectors.joining(", "));
    return Check.ok(
        models
            + ", driver "
            + gpus.get(0).driverVersion()
            + (cuda == null ? "" : ", CUDA " + cuda));
  }

  /** Ubuntu's own tool picks the driver for the GPU and kernel; Debian's is in non-free. */
  static final String APT_INSTALL =
      "set -e; export DEBIAN_FRONTEND=noninteractive; apt-get update -q; if command -v"
          + " ubuntu-drivers >/dev/null || apt-get install -y -q ubuntu-drivers-common >/dev/null"
          + " 2>&1 && command -v ubuntu-drivers >/dev/null; then ubuntu-drivers install --gpgpu;"
          + " else apt-get install -y -q nvidia-driver firmware-misc-nonfree; fi; modprobe nvidia"
          + " || true";

  @Override
  public void apply(HostContext host) {
    String missing = check(host).detail();
    if (!host.inventory().nvidia().installDriver()) {
      throw new HostException(
          host.name(),
          "is marked gpu: true, but " + missing,
          "install the NVIDIA driver for this kernel (Ubuntu: 'ubuntu-drivers install'; others: the"
              + " distribution's or NVIDIA's packages), reboot, check with nvidia-smi, then rerun;"
              + " or set nvidia.installDriver: true to let kfboot install the distribution's"
              + " driver; or set gpu: false for this host",
          false);
    }
    if (!host.root(Command.shell("command -v apt-get")).ok()) {
      throw new HostException(
          host.name(),
          "is marked gpu: true, but "
              + missing
              + "; kfboot installs drivers only on Debian and Ubuntu",
          "install the driver from NVIDIA's CUDA repository for this distribution"
              + " (https://docs.nvidia.com/datacenter/tesla/driver-installation-guide/), reboot,"
              + " check with nvidia-smi, then rerun",
          false);
    }
    host.rootOk(Command.shell(APT_INSTALL), "installing the NVIDIA driver");
    Check after = check(host);
    if (!after.satisfied()) {
      throw new HostException(
          host.name(),
          "has the NVIDIA driver installed, but " + after.detail(),
          "reboot the host (the nouveau driver may hold the GPU until then), check with nvidia-smi,"
              + " then rerun 'kfboot hosts up'",
          false);
    }
  }
}
