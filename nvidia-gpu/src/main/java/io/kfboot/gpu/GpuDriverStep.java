package io.kfboot.gpu;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.Step;
import java.util.List;
import java.util.stream.Collectors;

/**
 * On hosts the inventory marks {@code gpu: true}: the NVIDIA kernel driver answers nvidia-smi and
 * shows at least one GPU. kfboot does not install kernel drivers by default (it needs the right
 * package for the kernel and usually a reboot), so a missing driver is an error with the fix.
 */
public final class GpuDriverStep implements Step {
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
    ExecResult query = host.root(Command.of("nvidia-smi").arg(NvidiaSmi.QUERY.toArray(String[]::new)));
    if (!query.ok()) {
      String why = (query.stderr() + query.stdout()).strip();
      return Check.change("nvidia-smi " + (query.exitCode() == 127 ? "is not installed" : "fails: " + why.lines().findFirst().orElse("exit " + query.exitCode())));
    }
    List<NvidiaSmi.Gpu> gpus = NvidiaSmi.parseGpus(query.stdout());
    if (gpus.isEmpty()) {
      return Check.change("nvidia-smi lists no GPU");
    }
    String cuda = NvidiaSmi.cudaVersion(host.root(Command.of("nvidia-smi")).stdout());
    String models = gpus.stream().collect(Collectors.groupingBy(NvidiaSmi.Gpu::name, Collectors.counting())).entrySet().stream()
        .map(e -> e.getValue() + " x " + e.getKey()).sorted().collect(Collectors.joining(", "));
    return Check.ok(models + ", driver " + gpus.get(0).driverVersion() + (cuda == null ? "" : ", CUDA " + cuda));
  }

  @Override
  public void apply(HostContext host) {
    throw new HostException(host.name(), "is marked gpu: true, but " + check(host).detail(),
        "install the NVIDIA driver for this kernel (Ubuntu: 'ubuntu-drivers install'; others: the distribution's or NVIDIA's packages), reboot,"
            + " check with nvidia-smi, then rerun; or set gpu: false for this host",
        false);
  }
}
