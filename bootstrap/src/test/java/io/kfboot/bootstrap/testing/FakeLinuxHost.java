package io.kfboot.bootstrap.testing;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.host.RecordingHostOperator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A recording host with just enough Linux behind it for the steps: sysctl values, loaded modules,
 * active swap, files with modes, and a k3s that the install script "installs". Every command is
 * recorded (with a global sequence number, to check order across hosts).
 */
public final class FakeLinuxHost {
  public static final AtomicLong CLOCK = new AtomicLong();

  public final RecordingHostOperator operator;
  public final Map<String, String> sysctl =
      new HashMap<>(Map.of("net.ipv4.ip_forward", "0", "fs.inotify.max_user_watches", "8192"));
  public final Set<String> modules = new HashSet<>(Set.of("overlay"));
  public final List<String> swap = new ArrayList<>(List.of("/swapfile"));
  public String k3sVersion;

  /** The version the service runs: what was installed when it last started. */
  public String runningVersion;

  public boolean serviceActive;

  /** Where in the host's actions the service last started, and the install script last ran. */
  private int startedAt = -1;

  private int binaryAt = -1;

  /** The next n restarts of k3s fail, as a host killed mid-way would leave it. */
  public int failRestarts;

  /** Called whenever the k3s service (re)starts: a test's API learns the new kubelet version. */
  public Runnable onStart = () -> {};

  public int cpus = 8;
  public String hostname;
  public boolean docker;
  public boolean failK3sInstall;
  public final List<Long> installedAt = new ArrayList<>();

  /** The next n modprobe commands fail as a connection dropped mid-command would (after acting). */
  public int dropModprobe;

  /** Whether a dropped modprobe fails before it acted (a host that stays unreachable) or after. */
  public boolean dropBeforeActing;

  /** What "k3s kubectl get nodes" prints here: name=ReadyStatus lines. */
  public Supplier<String> nodes = () -> "";

  /** For the first server's {@link #nodes}: every host whose k3s runs is a Ready node. */
  public static Supplier<String> readyWhereRunning(Map<String, FakeLinuxHost> hosts) {
    return () ->
        String.join(
            "",
            hosts.entrySet().stream()
                .filter(e -> e.getValue().serviceActive)
                .map(e -> e.getKey() + "=True\n")
                .toList());
  }

  /** What k3s reads at start, as the restart check lists them. */
  static final List<String> K3S_READS_AT_START =
      List.of(
          "/usr/local/bin/k3s",
          "/etc/rancher/k3s/config.yaml",
          "/etc/rancher/k3s/registries.yaml",
          "/etc/rancher/k3s/kfboot-token");

  public FakeLinuxHost(String name) {
    operator = new RecordingHostOperator(name);
    hostname = name;
    operator.file("/etc/fstab", "UUID=1 / ext4 defaults 0 1\n/swapfile none swap sw 0 0\n");
    operator.on(c -> true, this::answer);
  }

  private static List<String> unwrap(Command c) {
    List<String> a = c.argv();
    return a.size() > 3 && a.get(0).equals("sudo") ? a.subList(3, a.size()) : a;
  }

  private static ExecResult ok(String out) {
    return new ExecResult(0, out, "", Duration.ZERO);
  }

  private static ExecResult exit(int code) {
    return new ExecResult(code, "", "", Duration.ZERO);
  }

  private synchronized ExecResult answer(Command c) {
    CLOCK.incrementAndGet();
    List<String> a = unwrap(c);
    String line = String.join(" ", a);
    String prog = a.get(0);
    if (prog.equals("sh") && line.contains("arch=$(uname -m)")) {
      // the host facts probe: the answer a small Debian VM gives
      return ok(
          "arch=x86_64\ncpus="
              + cpus
              + "\nmemory_kib=16000000\ndisk_free_kib=100000000\nsystemd=yes\nk3s="
              + (k3sVersion == null ? "no" : "yes")
              + "\ntcp=22 "
              + (k3sVersion == null ? "" : "6443 10250")
              + "\nudp=68\nntp=yes\ndns=yes\n");
    }
    if (prog.equals("sh") && line.contains("ActiveEnterTimestamp")) {
      if (!serviceActive) {
        return ok("inactive\n");
      }
      StringBuilder out = new StringBuilder();
      List<RecordingHostOperator.Action> actions = operator.actions();
      for (String f : K3S_READS_AT_START) {
        int written = f.equals("/usr/local/bin/k3s") ? binaryAt : -1;
        for (int i = 0; i < actions.size(); i++) {
          if (actions.get(i) instanceof RecordingHostOperator.Wrote w && w.path().equals(f)) {
            written = Math.max(written, i);
          }
        }
        if (written > startedAt && line.contains(f)) {
          out.append("newer ").append(f).append('\n');
        }
      }
      return ok(out.toString());
    }
    if (prog.equals("sh") && line.contains("command -v curl")) {
      return ok("/usr/bin/curl\n");
    }
    if (prog.equals("sh") && line.equals("sh -c command -v docker")) {
      return docker ? ok("/usr/bin/docker\n") : exit(1);
    }
    if (prog.equals("sh") && line.contains("install -y -q docker.io")) {
      docker = true;
      return ok("");
    }
    if (prog.equals("sh") && line.contains("remove -y -q docker.io")) {
      docker = false;
      return ok("");
    }
    if (prog.equals("sh") && line.contains("test -e ")) {
      String path = line.substring(line.indexOf("test -e ") + 8).split(" ")[0].replace("'", "");
      byte[] b = operator.files().get(path);
      if (b == null) {
        return exit(3);
      }
      String content = new String(b, StandardCharsets.UTF_8);
      if (line.contains("stat -c %a")) {
        Integer mode = operator.mode(path);
        return ok(Integer.toOctalString(mode == null ? 0644 : mode) + "\n" + content);
      }
      return ok(content);
    }
    if (prog.equals("sh") && line.contains("/sys/module/")) {
      return ok(String.join("", modules.stream().sorted().map(m -> m + "\n").toList()));
    }
    if (prog.equals("sh") && line.contains("sysctl -n")) {
      String keys = line.substring(line.indexOf("for k in ") + 9, line.indexOf("; do"));
      StringBuilder out = new StringBuilder();
      for (String k : keys.split(" ")) {
        out.append(sysctl.getOrDefault(k, "")).append('\n');
      }
      return ok(out.toString());
    }
    if (prog.equals("sh")
        && (line.contains("list-units --type=swap")
            || line.contains("list-unit-files --type=swap"))) {
      return ok("");
    }
    switch (prog) {
      case "docker" -> {
        return docker ? ok("27.5.1\n") : exit(1);
      }
      case "hostname" -> {
        return ok(hostname + "\n");
      }
      case "true", "mkdir", "curl", "systemctl" -> {
        if (line.startsWith("systemctl is-active")) {
          return exit(serviceActive ? 0 : 3);
        }
        if (line.startsWith("systemctl enable --now") && !serviceActive
            || line.startsWith("systemctl restart")) {
          if (line.startsWith("systemctl restart") && failRestarts > 0) {
            failRestarts--;
            serviceActive = false;
            return new ExecResult(
                1, "", "Job for k3s.service failed (killed mid-way)", Duration.ZERO);
          }
          serviceActive = true;
          runningVersion = k3sVersion;
          startedAt = operator.actions().size();
          onStart.run();
        }
        if (line.startsWith("systemctl stop")) {
          serviceActive = false;
        }
        return ok("");
      }
      case "stat" -> {
        Integer mode = operator.mode(a.get(a.size() - 1));
        return mode == null ? exit(1) : ok(Integer.toOctalString(mode) + "\n");
      }
      case "swapon" -> {
        if (a.contains("-a")) {
          String fstab = new String(operator.files().get("/etc/fstab"), StandardCharsets.UTF_8);
          fstab
              .lines()
              .filter(l -> !l.startsWith("#") && l.contains(" swap "))
              .forEach(l -> swap.add(l.split("\\s+")[0]));
          return ok("");
        }
        return ok(String.join("\n", swap));
      }
      case "swapoff" -> {
        swap.clear();
        return ok("");
      }
      case "test" -> {
        if (a.get(1).equals("-e")) {
          return exit(operator.files().containsKey(a.get(2)) ? 0 : 1);
        }
        return exit(modules.contains(a.get(2).replace("/sys/module/", "")) ? 0 : 1);
      }
      case "rm" -> {
        operator.delete(a.get(a.size() - 1));
        return ok("");
      }
      case "/usr/local/bin/k3s-uninstall.sh", "/usr/local/bin/k3s-agent-uninstall.sh" -> {
        k3sVersion = null;
        serviceActive = false;
        for (String f : operator.files().keySet()) {
          if (f.startsWith("/etc/rancher/k3s/") || f.equals(prog)) {
            operator.delete(f);
          }
        }
        return ok("");
      }
      case "modprobe" -> {
        if (!dropBeforeActing || dropModprobe == 0) {
          modules.add(a.get(1));
        }
        if (dropModprobe > 0) {
          dropModprobe--;
          throw new HostException(
              operator.name(), "the connection dropped while running modprobe", "rerun", true);
        }
        return ok("");
      }
      case "sysctl" -> {
        if (a.get(1).equals("-n")) {
          return ok(sysctl.getOrDefault(a.get(2), "") + "\n");
        }
        String conf = new String(operator.files().get(a.get(2)), StandardCharsets.UTF_8);
        conf.lines()
            .filter(l -> l.contains(" = "))
            .forEach(l -> sysctl.put(l.split(" = ")[0], l.split(" = ")[1]));
        return ok("");
      }
      case "k3s", "/usr/local/bin/k3s" -> {
        if (a.size() > 2 && a.get(1).equals("kubectl")) {
          return k3sVersion == null
              ? new ExecResult(1, "", "The connection to the server was refused", Duration.ZERO)
              : ok(nodes.get());
        }
        return k3sVersion == null
            ? exit(127)
            : ok("k3s version " + k3sVersion + " (abcdef)\ngo version go1.23\n");
      }
      case "env" -> {
        if (failK3sInstall) {
          return new ExecResult(1, "", "[ERROR] Failed to start the k3s service", Duration.ZERO);
        }
        k3sVersion =
            a.stream()
                .filter(x -> x.startsWith("INSTALL_K3S_VERSION="))
                .findFirst()
                .orElseThrow()
                .substring(20);
        boolean server = a.stream().anyMatch(x -> x.startsWith("INSTALL_K3S_EXEC=server"));
        operator.file(
            server ? "/usr/local/bin/k3s-uninstall.sh" : "/usr/local/bin/k3s-agent-uninstall.sh",
            "#!/bin/sh\n");
        installedAt.add(CLOCK.get());
        binaryAt = operator.actions().size();
        return ok("");
      }
      default -> {
        return new ExecResult(
            127, "", prog + ": command not found in FakeLinuxHost", Duration.ZERO);
      }
    }
  }
}
