package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.HostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the preflight and network steps need to know of a host, probed in one round trip and parsed
 * by name ({@code key=value} lines), not by position: a line the host could not produce is named in
 * the error instead of shifting every value after it.
 *
 * @param k3sInstalled a k3s binary on the PATH (its own ports then count as free)
 * @param clockSynchronised empty when timedatectl does not say (no systemd-timesyncd, a container)
 */
public record HostFacts(
    String arch,
    int cpus,
    long memoryKib,
    long diskFreeKib,
    boolean systemd,
    boolean k3sInstalled,
    Set<Integer> tcpListening,
    Set<Integer> udpListening,
    Optional<Boolean> clockSynchronised,
    boolean resolvesK3sIo) {

  /** The keys the probe prints, one line each, in this order. */
  static final List<String> KEYS =
      List.of(
          "arch",
          "cpus",
          "memory_kib",
          "disk_free_kib",
          "systemd",
          "k3s",
          "tcp",
          "udp",
          "ntp",
          "dns");

  /** One shell script, read-only: every fact on a line of its own. */
  static final Command PROBE =
      Command.shell(
          "echo \"arch=$(uname -m)\"; echo \"cpus=$(nproc)\"; echo \"memory_kib=$(awk"
              + " '/^MemTotal:/ {print $2}' /proc/meminfo)\"; echo \"disk_free_kib=$(df -Pk"
              + " /var/lib 2>/dev/null | awk 'NR==2 {print $4}')\"; if test -d"
              + " /run/systemd/system; then echo systemd=yes; else echo systemd=no; fi; if"
              + " command -v k3s >/dev/null 2>&1; then echo k3s=yes; else echo k3s=no; fi; echo"
              + " \"tcp=$(ss -Hltn 2>/dev/null | awk '{print $4}' | sed 's/.*://' | sort -un | tr"
              + " '\\n' ' ')\"; echo \"udp=$(ss -Hlun 2>/dev/null | awk '{print $4}' | sed"
              + " 's/.*://' | sort -un | tr '\\n' ' ')\"; echo \"ntp=$(timedatectl show -p"
              + " NTPSynchronized --value 2>/dev/null)\"; if getent hosts get.k3s.io >/dev/null"
              + " 2>&1; then echo dns=yes; else echo dns=no; fi");

  public HostFacts {
    tcpListening = Set.copyOf(tcpListening);
    udpListening = Set.copyOf(udpListening);
  }

  /** Probes {@code host}; a host that cannot answer is an error naming what was missing. */
  static HostFacts probe(HostContext host) {
    var r = host.root(PROBE);
    try {
      return parse(r.stdout());
    } catch (IllegalArgumentException e) {
      throw new HostException(
          host.name(),
          "cannot read the host's facts: " + e.getMessage() + stderr(r.stderr()),
          "check that the host runs Linux with coreutils, procps (ss: iproute2) and awk",
          false);
    }
  }

  private static String stderr(String err) {
    return err.isBlank() ? "" : " (" + err.strip() + ")";
  }

  /** The probe's output as facts; names every key that is missing or not a number. */
  public static HostFacts parse(String output) {
    Map<String, String> v = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        v.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    List<String> problems = new ArrayList<>();
    for (String k : KEYS) {
      // empty lists of ports and an unknown time sync are answers too
      boolean mayBeEmpty = k.equals("tcp") || k.equals("udp") || k.equals("ntp");
      if (!v.containsKey(k) || (v.get(k).isEmpty() && !mayBeEmpty)) {
        problems.add(k + " missing");
      }
    }
    int cpus = (int) number(v, "cpus", problems);
    long memory = number(v, "memory_kib", problems);
    long disk = number(v, "disk_free_kib", problems);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", new TreeSet<>(problems)));
    }
    String ntp = v.get("ntp");
    return new HostFacts(
        v.get("arch"),
        cpus,
        memory,
        disk,
        v.get("systemd").equals("yes"),
        v.get("k3s").equals("yes"),
        ports(v.get("tcp")),
        ports(v.get("udp")),
        ntp.equals("yes")
            ? Optional.of(true)
            : ntp.equals("no") ? Optional.of(false) : Optional.empty(),
        v.get("dns").equals("yes"));
  }

  private static long number(Map<String, String> v, String key, List<String> problems) {
    String s = v.getOrDefault(key, "");
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      if (!s.isEmpty()) {
        problems.add(key + " not a number: '" + s + "'");
      }
      return 0;
    }
  }

  private static Set<Integer> ports(String list) {
    return Arrays.stream(list.trim().split("\\s+"))
        .filter(p -> p.matches("\\d{1,5}"))
        .map(Integer::valueOf)
        .collect(Collectors.toUnmodifiableSet());
  }
}
