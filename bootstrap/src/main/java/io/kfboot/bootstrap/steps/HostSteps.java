package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.inventory.Inventory.Role;
import io.kfboot.bootstrap.k3s.HostFiles;
import io.kfboot.bootstrap.k3s.K3sConfig;
import io.kfboot.core.Retry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/** The steps that prepare a host for k3s, in the order they run. */
public final class HostSteps {
  /** Kubeflow's own pods need about this much per node (upstream asks 16 cores, 32 GiB in all). */
  static final int MIN_CPUS = 2;

  static final long MIN_MEMORY_KIB = 4L * 1024 * 1024;
  static final long MIN_DISK_KIB = 20L * 1024 * 1024;
  static final Set<String> ARCHES = Set.of("x86_64", "aarch64");

  private HostSteps() {}

  /**
   * Installs or removes packages with whichever of apt-get, dnf and zypper the host has, each with
   * its own package names ("install" or "remove").
   */
  static Command distroPackages(String verb, String apt, String dnf, String zypper) {
    return Command.shell(
        "if command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get "
            + verb
            + " -y -q "
            + apt
            + ";"
            + " elif command -v dnf >/dev/null; then dnf "
            + verb
            + " -y "
            + dnf
            + ";"
            + " elif command -v zypper >/dev/null; then zypper -n "
            + verb
            + " "
            + zypper
            + ";"
            + " else echo 'no apt-get, dnf or zypper' >&2; exit 1; fi");
  }

  public static List<Step> prepare() {
    return List.of(
        new Preflight(),
        new Network(),
        new Packages(),
        new SwapOff(),
        new KernelModules(),
        new Sysctl(),
        new Docker());
  }

  /** k3s' ports free (unless k3s itself holds them), the clock synchronised, names resolving. */
  static final class Network implements Step {
    /** API, kubelet, etcd client and peer (TCP); the flannel VXLAN port 8472 is UDP. */
    static final List<Integer> TCP_PORTS = List.of(6443, 10250, 2379, 2380);

    @Override
    public String id() {
      return "network";
    }

    @Override
    public String description() {
      return "ports " + TCP_PORTS + "/tcp and 8472/udp free, clock synchronised, DNS answering";
    }

    @Override
    public Check check(HostContext host) {
      ExecResult r =
          host.root(
              Command.shell(
                  "if command -v k3s >/dev/null 2>&1; then echo k3s; else echo none; fi; ss -Hltn"
                      + " 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -u | tr '\\n"
                      + "' ' '; echo; ss -Hlun 2>/dev/null | awk '{print $4}' | sed 's/.*://' |"
                      + " sort -u | tr '\\n"
                      + "' ' '; echo; timedatectl show -p NTPSynchronized --value 2>/dev/null ||"
                      + " echo unknown; if getent hosts get.k3s.io >/dev/null 2>&1; then echo dns;"
                      + " else echo no-dns; fi"));
      String[] v = r.stdout().split("\n", -1);
      if (v.length < 5) {
        return Check.change("cannot read the host's network state: " + r.stderr().trim());
      }
      List<String> problems = new ArrayList<>();
      if (!v[0].trim().equals("k3s")) {
        List<String> tcp = List.of(v[1].trim().split("\\s+"));
        for (int port : TCP_PORTS) {
          if (tcp.contains(String.valueOf(port))) {
            problems.add("port " + port + "/tcp is taken");
          }
        }
        if (List.of(v[2].trim().split("\\s+")).contains("8472")) {
          problems.add("port 8472/udp is taken");
        }
      }
      if (v[3].trim().equals("no")) {
        problems.add(
            "the clock is not synchronised (etcd and TLS need it): enable NTP, e.g. timedatectl"
                + " set-ntp true");
      }
      boolean airgap = host.inventory().airgap() != null;
      if (!airgap && v[4].trim().equals("no-dns")) {
        problems.add(
            "get.k3s.io does not resolve: fix DNS, or install from local files (inventory airgap)");
      }
      return problems.isEmpty()
          ? Check.ok(
              "ports free, clock " + (v[3].trim().equals("yes") ? "synchronised" : "not reported"))
          : Check.change(String.join("; ", problems));
    }

    @Override
    public void apply(HostContext host) {
      throw new HostException(
          host.name(),
          check(host).detail(),
          "free the ports (another Kubernetes? 'ss -ltnp' names the process) and fix the clock or"
              + " DNS as said",
          false);
    }
  }

  /**
   * Docker, when the inventory asks for {@code containerRuntime: docker} (k3s then runs with {@code
   * docker: true} through cri-dockerd): the distribution's package, enabled and running. A marker
   * records that kfboot installed it, so that reset removes only what kfboot added.
   */
  static final class Docker implements Step, Removable {
    @Override
    public Step undo() {
      return ResetSteps.dockerRemoved();
    }

    static final String MARKER = "/var/lib/kfboot/docker-installed";

    @Override
    public String id() {
      return "docker";
    }

    @Override
    public String description() {
      return "Docker running, when containerRuntime is docker";
    }

    @Override
    public Check check(HostContext host) {
      if (!host.inventory().containerRuntime().equals("docker")) {
        return Check.ok("containerd (k3s' own): nothing to install");
      }
      ExecResult r = host.root(Command.of("docker", "info", "--format", "{{.ServerVersion}}"));
      return r.ok()
          ? Check.ok("Docker " + r.stdout().trim() + " running")
          : Check.change("install and start Docker from the distribution's packages");
    }

    @Override
    public void apply(HostContext host) {
      if (!host.root(Command.shell("command -v docker")).ok()) {
        host.rootOk(
            distroPackages("install", "docker.io", "moby-engine", "docker"), "installing Docker");
        host.write(MARKER, "kfboot installed Docker; 'kfboot hosts reset' removes it\n", 0644);
      }
      host.rootOk(Command.of("systemctl", "enable", "--now", "docker"), "starting Docker");
    }
  }

  /** curl for the k3s install script (not needed with airgap files), from the distribution. */
  static final class Packages implements Step {
    @Override
    public String id() {
      return "packages";
    }

    @Override
    public String description() {
      return "curl installed (to fetch the k3s install script)";
    }

    @Override
    public Check check(HostContext host) {
      if (host.inventory().airgap() != null) {
        return Check.ok("airgap: nothing to fetch");
      }
      return host.root(Command.shell("command -v curl")).ok()
          ? Check.ok("curl present")
          : Check.change("install curl");
    }

    @Override
    public void apply(HostContext host) {
      host.rootOk(distroPackages("install", "curl", "curl", "curl"), "installing curl");
    }
  }

  /** Arch, OS, CPU, memory, disk: what no step can fix, checked before anything changes. */
  static final class Preflight implements Step {
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
      ExecResult r =
          host.root(
              Command.shell(
                  "uname -m; nproc; awk '/^MemTotal:/ {print $2}' /proc/meminfo; mkdir -p /var/lib"
                      + " && df -Pk /var/lib | awk 'NR==2 {print $4}'; test -d /run/systemd/system"
                      + " && echo systemd || echo no-systemd"));
      List<String> problems = new ArrayList<>();
      String[] v = r.stdout().trim().split("\n");
      if (!r.ok() || v.length < 5) {
        return Check.change("cannot read the host's facts: " + r.stderr().trim());
      }
      if (!ARCHES.contains(v[0].trim())) {
        problems.add(
            "architecture " + v[0].trim() + " (k3s and Kubeflow's images need x86_64 or aarch64)");
      }
      if (Integer.parseInt(v[1].trim()) < MIN_CPUS) {
        problems.add(v[1].trim() + " CPUs (at least " + MIN_CPUS + ")");
      }
      if (Long.parseLong(v[2].trim()) < MIN_MEMORY_KIB) {
        problems.add(Long.parseLong(v[2].trim()) / 1024 + " MiB memory (at least 4096)");
      }
      if (Long.parseLong(v[3].trim()) < MIN_DISK_KIB) {
        problems.add(
            Long.parseLong(v[3].trim()) / 1024 / 1024 + " GiB free under /var/lib (at least 20)");
      }
      if (!v[4].trim().equals("systemd")) {
        problems.add("no systemd (k3s runs as a systemd service)");
      }
      return problems.isEmpty()
          ? Check.ok("arch " + v[0].trim() + ", " + v[1].trim() + " CPUs")
          : Check.change(String.join("; ", problems));
    }

    @Override
    public void apply(HostContext host) {
      String detail = check(host).detail();
      List<String> fixes = new ArrayList<>();
      if (detail.contains("systemd")) {
        fixes.add("run on a VM or a machine whose PID 1 is systemd (containers usually lack it)");
      }
      if (detail.contains("CPUs") || detail.contains("memory") || detail.contains("free under")) {
        fixes.add("use a bigger host (or free space under /var/lib)");
      }
      if (detail.contains("architecture")) {
        fixes.add("use an x86_64 or aarch64 host");
      }
      fixes.add("or remove it from the inventory");
      throw new HostException(
          host.name(),
          "does not meet k3s' and Kubeflow's needs: " + detail,
          String.join("; ", fixes),
          false);
    }
  }

  /** Swap off now and after reboots (kubelet refuses swap by default). */
  static final class SwapOff implements Step, Removable {
    @Override
    public Step undo() {
      return ResetSteps.swapRestored();
    }

    static final String MARKER = "/var/lib/kfboot/swap-was-on";

    @Override
    public String id() {
      return "swap-off";
    }

    @Override
    public String description() {
      return "swap off now and in /etc/fstab and systemd";
    }

    @Override
    public Check check(HostContext host) {
      String active =
          host.root(Command.of("swapon", "--show=NAME", "--noheadings")).stdout().trim();
      String fstab = host.file("/etc/fstab").orElse("");
      boolean persisted = HostFiles.fstabWithoutSwap(fstab).equals(fstab);
      if (active.isEmpty() && persisted) {
        return Check.ok("no swap");
      }
      return Check.change(
          (active.isEmpty() ? "" : "swapoff " + String.join(", ", active.split("\n")) + "; ")
              + (persisted ? "" : "comment swap lines in /etc/fstab"));
    }

    @Override
    public void apply(HostContext host) {
      host.write(
          MARKER,
          "swap was on when kfboot turned it off; 'kfboot hosts reset' turns it back on\n",
          0644);
      host.rootOk(Command.of("swapoff", "-a"), "swapoff -a");
      String fstab = host.file("/etc/fstab").orElse("");
      String off = HostFiles.fstabWithoutSwap(fstab);
      if (!off.equals(fstab)) {
        host.write("/etc/fstab", off, 0644);
      }
      // swap units systemd made from fstab or elsewhere would turn swap on again at boot
      String units =
          host.root(
                  Command.shell(
                      "systemctl list-units --type=swap --all --no-legend --plain 2>/dev/null | awk"
                          + " '{print $1}'"))
              .stdout()
              .trim();
      for (String unit : units.isEmpty() ? new String[0] : units.split("\n")) {
        host.rootOk(Command.of("systemctl", "mask", unit), "masking " + unit);
      }
    }
  }

  /** br_netfilter and overlay loaded now and at boot. */
  static final class KernelModules implements Step, Removable {
    @Override
    public Step undo() {
      return ResetSteps.fileRemoved(HostFiles.MODULES_PATH);
    }

    final FileStep file =
        new FileStep(
            "modules", HostFiles.MODULES_PATH, 0644, h -> HostFiles.modulesConf(), List.of());

    @Override
    public String id() {
      return "kernel-modules";
    }

    @Override
    public String description() {
      return String.join(", ", HostFiles.MODULES) + " loaded and in " + HostFiles.MODULES_PATH;
    }

    @Override
    public Check check(HostContext host) {
      String loaded =
          host.root(
                  Command.shell(
                      "for m in "
                          + String.join(" ", HostFiles.MODULES)
                          + "; do if test -d \"/sys/module/$m\"; then echo \"$m\"; fi; done"))
              .stdout();
      List<String> missing =
          HostFiles.MODULES.stream().filter(m -> !loaded.lines().toList().contains(m)).toList();
      Check f = file.check(host);
      if (missing.isEmpty() && f.satisfied()) {
        return Check.ok("loaded");
      }
      return Check.change(
          (missing.isEmpty() ? "" : "modprobe " + String.join(" ", missing) + "; ")
              + (f.satisfied() ? "" : f.detail()));
    }

    @Override
    public void apply(HostContext host) {
      file.apply(host);
      for (String m : HostFiles.MODULES) {
        host.rootOk(Command.of("modprobe", m), "modprobe " + m);
      }
    }
  }

  /** ip_forward, bridge netfilter and inotify limits, live and in /etc/sysctl.d. */
  static final class Sysctl implements Step, Removable {
    @Override
    public Step undo() {
      return ResetSteps.fileRemoved(HostFiles.SYSCTL_PATH);
    }

    final FileStep file =
        new FileStep("sysctl", HostFiles.SYSCTL_PATH, 0644, h -> HostFiles.sysctlConf(), List.of());

    @Override
    public String id() {
      return "sysctl";
    }

    @Override
    public String description() {
      return String.join(", ", HostFiles.SYSCTL.keySet()) + " in " + HostFiles.SYSCTL_PATH;
    }

    @Override
    public Check check(HostContext host) {
      // every value in one round trip, one line each (empty when the key does not exist yet)
      List<String> keys = new ArrayList<>(HostFiles.SYSCTL.keySet());
      List<String> values =
          host.root(
                  Command.shell(
                      "for k in "
                          + String.join(" ", keys)
                          + "; do v=$(sysctl -n \"$k\" 2>/dev/null) || v=; echo \"$v\"; done"))
              .stdout()
              .lines()
              .toList();
      List<String> wrong = new ArrayList<>();
      for (int i = 0; i < keys.size(); i++) {
        String now = i < values.size() ? values.get(i).trim() : "";
        String want = HostFiles.SYSCTL.get(keys.get(i));
        if (!now.equals(want)) {
          wrong.add(keys.get(i) + " " + (now.isEmpty() ? "unset" : now) + " -> " + want);
        }
      }
      Check f = file.check(host);
      if (wrong.isEmpty() && f.satisfied()) {
        return Check.ok("as desired");
      }
      return Check.change(
          String.join("; ", wrong)
              + (f.satisfied() ? "" : (wrong.isEmpty() ? "" : "; ") + f.detail()));
    }

    @Override
    public void apply(HostContext host) {
      file.apply(host);
      host.rootOk(
          Command.of("sysctl", "-p", HostFiles.SYSCTL_PATH), "sysctl -p " + HostFiles.SYSCTL_PATH);
    }
  }

  /**
   * The k3s files: token (0600), config.yaml (0600), registries.yaml (0600) when mirrors are set.
   */
  public static List<Step> k3sFiles(
      String token, boolean first, String joinUrl, Map<String, String> env) {
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
    steps.add(
        new FileStep(
            "k3s-registries",
            K3sConfig.REGISTRIES_PATH,
            0600,
            h -> K3sConfig.registries(h.inventory().registries(), env),
            List.of()) {
          @Override
          public Check check(HostContext host) {
            return host.inventory().registries().isEmpty()
                ? Check.ok("no mirrors configured")
                : super.check(host);
          }
        });
    return steps;
  }

  /** k3s at the pinned version, installed with the official script and started. */
  public static Step k3sInstall() {
    return new Step() {
      @Override
      public String id() {
        return "k3s";
      }

      @Override
      public String description() {
        return "k3s installed at the inventory's version and its service running";
      }

      private String service(HostContext h) {
        return h.spec().role() == Role.SERVER ? "k3s" : "k3s-agent";
      }

      @Override
      public Check check(HostContext host) {
        String version = host.inventory().k3s().version();
        ExecResult v = host.root(Command.of("k3s", "--version"));
        if (!v.ok()) {
          return Check.change("install k3s " + version);
        }
        if (!v.stdout().contains(version)) {
          return Check.change(
              "k3s is " + v.stdout().lines().findFirst().orElse("?") + ", install " + version);
        }
        if (!host.root(Command.of("systemctl", "is-active", "--quiet", service(host))).ok()) {
          return Check.change("start " + service(host));
        }
        return Check.ok(version + " running");
      }

      @Override
      public void apply(HostContext host) {
        var inv = host.inventory();
        String script = "/var/lib/kfboot/k3s-install.sh";
        List<String> env =
            new ArrayList<>(
                List.of(
                    "INSTALL_K3S_VERSION=" + inv.k3s().version(),
                    "INSTALL_K3S_SKIP_START=true",
                    // the inventory's extra k3s flags ride along on the service's command line
                    "INSTALL_K3S_EXEC="
                        + String.join(
                            " ",
                            Stream.concat(
                                    Stream.of(
                                        host.spec().role() == Role.SERVER ? "server" : "agent"),
                                    inv.k3s().extraArgs().stream())
                                .toList())));
        if (inv.airgap() != null) {
          upload(host, inv.airgap().k3sBinary(), "/usr/local/bin/k3s", 0755);
          upload(
              host,
              inv.airgap().images(),
              "/var/lib/rancher/k3s/agent/images/" + inv.airgap().images().getFileName(),
              0644);
          upload(host, inv.airgap().installScript(), script, 0755);
          env.add("INSTALL_K3S_SKIP_DOWNLOAD=true");
        } else {
          host.rootOk(Command.of("mkdir", "-p", "/var/lib/kfboot"), "mkdir /var/lib/kfboot");
          host.rootOk(
              Command.of("curl", "-sfL", "--retry", "3", "-o", script, "https://get.k3s.io"),
              "downloading the k3s install script");
        }
        List<String> argv = new ArrayList<>(List.of("env"));
        argv.addAll(env);
        argv.addAll(List.of("sh", script)); // k3s reads /etc/rancher/k3s/config.yaml itself
        host.rootOk(Command.of(argv), "the k3s install script");
        host.rootOk(
            Command.of("systemctl", "enable", "--now", service(host)), "starting " + service(host));
      }

      private void upload(HostContext host, Path local, String remote, int mode) {
        try {
          host.operator().upload(Files.readAllBytes(local), remote, mode, "root:root");
        } catch (IOException e) {
          throw new HostException(
              host.name(),
              "cannot read airgap file " + local + ": " + e.getMessage(),
              "check the inventory's airgap paths",
              false,
              e);
        }
      }
    };
  }

  /** Every node of the inventory registered and Ready, seen through the API on the first server. */
  /** How often the wait for nodes looks again. */
  static final Duration NODES_POLL = Duration.ofSeconds(2);

  /** The id of the last step of {@code up}: on the first server, every node Ready. */
  public static final String NODES_READY = "nodes-ready";

  public static Step nodesReady(List<String> names, Duration timeout) {
    return new Step() {
      @Override
      public String id() {
        return NODES_READY;
      }

      @Override
      public String description() {
        return names.size() + " nodes Ready";
      }

      @Override
      public Check check(HostContext host) {
        ExecResult r =
            host.root(
                Command.of(
                    "k3s",
                    "kubectl",
                    "get",
                    "nodes",
                    "-o",
                    "jsonpath={range"
                        + " .items[*]}{.metadata.name}={.status.conditions[?(@.type==\"Ready\")].status}{\"\\n"
                        + "\"}{end}"));
        if (!r.ok()) {
          return Check.change("wait for the API server (" + r.stderr().trim() + ")");
        }
        Map<String, String> ready = new HashMap<>();
        r.stdout()
            .lines()
            .filter(l -> l.contains("="))
            .forEach(
                l -> ready.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        List<String> waiting = names.stream().filter(n -> !"True".equals(ready.get(n))).toList();
        return waiting.isEmpty()
            ? Check.ok(names.size() + " nodes Ready")
            : Check.change("wait for " + String.join(", ", waiting));
      }

      @Override
      public void apply(HostContext host) {
        try {
          Retry.poll(
              "every node Ready",
              () -> {
                Check c = check(host);
                return c.satisfied() ? Retry.Look.done(c) : Retry.Look.<Check>pending(c.detail());
              },
              NODES_POLL,
              timeout);
        } catch (Retry.TimedOut e) {
          throw new HostException(
              host.name(),
              "nodes not Ready after " + timeout.toSeconds() + "s: " + e.lastDetail(),
              "look at 'journalctl -u k3s-agent' on those hosts, and at their time sync and"
                  + " firewall (6443, 10250, 8472/udp)",
              false);
        }
      }
    };
  }
}
