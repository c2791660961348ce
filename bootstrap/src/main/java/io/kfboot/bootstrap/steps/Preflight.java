package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.host.HostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Arch, OS, CPU, memory, disk: what no step can fix, checked before anything changes. */
final class Preflight implements Step {
  /** Kubeflow's own pods need about this much per node (upstream asks 16 cores, 32 GiB in all). */
  static final int MIN_CPUS = 2;

  static final long MIN_MEMORY_KIB = 4L * 1024 * 1024;
  static final long MIN_DISK_KIB = 20L * 1024 * 1024;
  static final Set<String> ARCHES = Set.of("x86_64", "aarch64");

  @Override
  public String id() {
    return "preflight";
  }

  @Override
  public String description() {
    return "architecture "
        + ARCHES
        + ", Linux with systemd, >= "
        + MIN_CPUS
        + " CPUs, >= 4 GiB memory, >= 20 GiB free under /var/lib";
  }

  @Override
  public Check check(HostContext host) {
    List<String> problems = problems(host.facts());
    return problems.isEmpty()
        ? Check.ok("arch " + host.facts().arch() + ", " + host.facts().cpus() + " CPUs")
        : Check.change(String.join("; ", problems));
  }

  static List<String> problems(HostFacts f) {
    List<String> problems = new ArrayList<>();
    if (!ARCHES.contains(f.arch())) {
      problems.add(
          "architecture " + f.arch() + " (k3s and Kubeflow's images need x86_64 or aarch64)");
    }
    if (f.cpus() < MIN_CPUS) {
      problems.add(f.cpus() + " CPUs (at least " + MIN_CPUS + ")");
    }
    if (f.memoryKib() < MIN_MEMORY_KIB) {
      problems.add(f.memoryKib() / 1024 + " MiB memory (at least 4096)");
    }
    if (f.diskFreeKib() < MIN_DISK_KIB) {
      problems.add(f.diskFreeKib() / 1024 / 1024 + " GiB free under /var/lib (at least 20)");
    }
    if (!f.systemd()) {
      problems.add("no systemd (k3s runs as a systemd service)");
    }
    return problems;
  }

  @Override
  public void apply(HostContext host) {
    HostFacts f = host.facts();
    List<String> fixes = new ArrayList<>();
    if (!f.systemd()) {
      fixes.add("run on a VM or a machine whose PID 1 is systemd (containers usually lack it)");
    }
    if (f.cpus() < MIN_CPUS || f.memoryKib() < MIN_MEMORY_KIB || f.diskFreeKib() < MIN_DISK_KIB) {
      fixes.add("use a bigger host (or free space under /var/lib)");
    }
    if (!ARCHES.contains(f.arch())) {
      fixes.add("use an x86_64 or aarch64 host");
    }
    fixes.add("or remove it from the inventory");
    throw new HostException(
        host.name(),
        "does not meet k3s' and Kubeflow's needs: " + String.join("; ", problems(f)),
        String.join("; ", fixes),
        false);
  }
}
