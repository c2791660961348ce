package io.kfboot.bootstrap.k3s;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The other files kfboot owns on a host, as pure functions. */
public final class HostFiles {
  public static final String SYSCTL_PATH = "/etc/sysctl.d/90-kfboot.conf";
  public static final String MODULES_PATH = "/etc/modules-load.d/kfboot.conf";

  /**
   * Kernel settings k3s and Kubeflow need. The inotify limits are the ones the kubeflow/manifests
   * README advises (too few watches make pods crash with "too many open files").
   */
  public static final Map<String, String> SYSCTL = sysctl();

  public static final List<String> MODULES = List.of("br_netfilter", "overlay");

  private HostFiles() {}

  private static Map<String, String> sysctl() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("net.ipv4.ip_forward", "1");
    m.put("net.bridge.bridge-nf-call-iptables", "1");
    m.put("net.bridge.bridge-nf-call-ip6tables", "1");
    m.put("fs.inotify.max_user_instances", "2280");
    m.put("fs.inotify.max_user_watches", "1255360");
    return Collections.unmodifiableMap(m);
  }

  public static String sysctlConf() {
    return "# Written by kfboot: k3s and Kubeflow need these.\n"
        + SYSCTL.entrySet().stream()
            .map(e -> e.getKey() + " = " + e.getValue())
            .collect(Collectors.joining("\n"))
        + "\n";
  }

  public static String modulesConf() {
    return "# Written by kfboot: loaded at boot for k3s' networking and overlay storage.\n"
        + String.join("\n", MODULES)
        + "\n";
  }

  /**
   * fstab with every active swap line commented out (marked, so that reset can restore exactly
   * those). Other lines are kept byte for byte.
   */
  public static String fstabWithoutSwap(String fstab) {
    StringBuilder sb = new StringBuilder();
    for (String line : fstab.split("\n", -1)) {
      String[] f = line.trim().split("\\s+");
      boolean swap = !line.trim().startsWith("#") && f.length >= 3 && f[2].equals("swap");
      sb.append(swap ? "#kfboot-swapoff# " + line : line).append('\n');
    }
    sb.setLength(sb.length() - 1);
    return sb.toString();
  }

  /** The inverse of {@link #fstabWithoutSwap}, for reset. */
  public static String fstabRestored(String fstab) {
    return fstab
            .lines()
            .map(
                l ->
                    l.startsWith("#kfboot-swapoff# ")
                        ? l.substring("#kfboot-swapoff# ".length())
                        : l)
            .collect(Collectors.joining("\n"))
        + (fstab.endsWith("\n") ? "\n" : "");
  }
}
