package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.host.HostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** k3s' ports free (unless k3s itself holds them), the clock synchronised, names resolving. */
final class Network implements Step {
  /** API, kubelet, etcd client and peer (TCP). */
  static final List<Integer> TCP_PORTS = List.of(6443, 10250, 2379, 2380);

  /** flannel's VXLAN. */
  static final int VXLAN_PORT = 8472;

  @Override
  public String id() {
    return "network";
  }

  @Override
  public String description() {
    return "ports "
        + TCP_PORTS
        + "/tcp and "
        + VXLAN_PORT
        + "/udp free, clock synchronised, DNS answering";
  }

  @Override
  public Check check(HostContext host) {
    HostFacts f = host.facts();
    List<String> problems = problems(f, host.inventory().airgap() != null);
    return problems.isEmpty()
        ? Check.ok(
            "ports free, clock "
                + (f.clockSynchronised().orElse(false) ? "synchronised" : "not reported"))
        : Check.change(String.join("; ", problems));
  }

  static List<String> problems(HostFacts f, boolean airgap) {
    List<String> problems = new ArrayList<>();
    if (!f.k3sInstalled()) {
      for (int port : TCP_PORTS) {
        if (f.tcpListening().contains(port)) {
          problems.add("port " + port + "/tcp is taken");
        }
      }
      if (f.udpListening().contains(VXLAN_PORT)) {
        problems.add("port " + VXLAN_PORT + "/udp is taken");
      }
    }
    if (f.clockSynchronised().equals(Optional.of(false))) {
      problems.add(
          "the clock is not synchronised (etcd and TLS need it): enable NTP, e.g. timedatectl"
              + " set-ntp true");
    }
    if (!airgap && !f.resolvesK3sIo()) {
      problems.add(
          "get.k3s.io does not resolve: fix DNS, or install from local files (inventory airgap)");
    }
    return problems;
  }

  @Override
  public void apply(HostContext host) {
    throw new HostException(
        host.name(),
        String.join("; ", problems(host.facts(), host.inventory().airgap() != null)),
        "free the ports (another Kubernetes? 'ss -ltnp' names the process) and fix the clock or"
            + " DNS as said",
        false);
  }
}
