package io.kfboot.bootstrap.k3s;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.bootstrap.testing.SshHosts;
import io.kfboot.bootstrap.testing.Sshd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code bench/run hosts}: the same bootstrap (every check for real, kfboot's k3s files written
 * under a sandbox root) on 1 sshd host and on 8, alternating, in one run; prints the ratio of the
 * medians. Hosts are sshd processes in their own network namespaces where they can be made.
 */
public final class HostsBenchmark {
  public static void main(String[] args) throws Exception {
    int runs = Integer.getInteger("runs", 5);
    Path dir = Files.createTempDirectory("kfboot-hosts-bench");
    List<Sshd> sshds = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        Path d = dir.resolve("host" + i);
        Files.createDirectories(d);
        sshds.add(Sshd.startHost(d, 100 + i));
      }
      System.out.println(
          "hosts: 8 sshd at "
              + String.join(", ", sshds.stream().map(s -> s.address + ":" + s.port).toList()));
      Path known = SshHosts.knownHosts(sshds, dir.resolve("known_hosts"));
      double[] one = new double[runs];
      double[] eight = new double[runs];
      for (int r = 0; r < runs; r++) {
        one[r] = time(sshds.subList(0, 1), known, dir.resolve("run" + r + "-1"));
        eight[r] = time(sshds, known, dir.resolve("run" + r + "-8"));
        System.out.printf("run %d: 1 host %.2fs, 8 hosts %.2fs%n", r + 1, one[r], eight[r]);
      }
      double m1 = median(one);
      double m8 = median(eight);
      System.out.printf("median: 1 host %.2fs, 8 hosts %.2fs (goal: ratio <= 1.3)%n", m1, m8);
      System.out.printf("hosts: ratio=%.2f%n", m8 / m1);
    } finally {
      sshds.forEach(Sshd::close);
    }
  }

  static double time(List<Sshd> hosts, Path known, Path roots) {
    Inventory inv =
        InventoryLoader.parse(
            "cluster: bench\nk3s: {token: {env: K3S_TOKEN}}\n" + SshHosts.hostsYaml(hosts, 1),
            "bench.yaml",
            roots);
    ClusterBootstrap b =
        new ClusterBootstrap(
            inv,
            h -> SshHosts.connect(h, known),
            Map.of("K3S_TOKEN", "K10-bench"),
            Duration.ofSeconds(60),
            8,
            r -> {});
    long t0 = System.nanoTime();
    b.sandbox(h -> roots.resolve(h.name()).toString());
    return (System.nanoTime() - t0) / 1e9;
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
