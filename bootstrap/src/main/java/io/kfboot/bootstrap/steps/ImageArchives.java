package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.host.ExecResult;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.core.Digests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The site's image archives (airgap.imageArchives) in each node's agent/images folder, where k3s
 * imports them at start, and since v1.32.0, v1.31.5, v1.30.9 and v1.29.13 also while it runs
 * (https://docs.k3s.io/installation/airgap). Checked by size and sha256 against the local file, so
 * an archive rebuilt under the same name is copied again; k3s-restarted rolls nodes of older k3s.
 */
final class ImageArchives implements Step {
  static final String DIR = "/var/lib/rancher/k3s/agent/images/";

  /** sha256 of each local archive (by path, size and time), computed once: they are gigabytes. */
  private static final Map<String, String> SUMS = new ConcurrentHashMap<>();

  @Override
  public String id() {
    return "k3s-image-archives";
  }

  @Override
  public String description() {
    return "the site's image archives in " + DIR;
  }

  static List<Path> archives(Inventory inv) {
    return inv.airgap() == null ? List.of() : inv.airgap().imageArchives();
  }

  static String nodePath(Path archive) {
    return DIR + archive.getFileName();
  }

  private static List<Path> differing(HostContext host) {
    List<Path> out = new ArrayList<>();
    for (Path a : archives(host.inventory())) {
      ExecResult r = host.root(Command.of("sha256sum", "--", host.path(nodePath(a))));
      if (!r.ok() || !r.stdout().startsWith(sha256(host, a) + " ")) {
        out.add(a);
      }
    }
    return out;
  }

  @Override
  public Check check(HostContext host) {
    List<Path> archives = archives(host.inventory());
    if (archives.isEmpty()) {
      return Check.ok("no image archives configured");
    }
    List<Path> missing = differing(host);
    return missing.isEmpty()
        ? Check.ok(archives.size() + " image archives in place")
        : Check.change(
            "copy "
                + String.join(", ", missing.stream().map(p -> p.getFileName().toString()).toList())
                + " to "
                + DIR);
  }

  @Override
  public void apply(HostContext host) {
    host.rootOk(Command.of("mkdir", "-p", host.path(DIR)), "mkdir " + DIR);
    for (Path a : differing(host)) {
      host.operator().upload(a, host.path(nodePath(a)), 0644, "root:root");
    }
  }

  static String sha256(HostContext host, Path file) {
    Path f = file.toAbsolutePath();
    String key;
    try {
      key = f + "|" + Files.size(f) + "|" + Files.getLastModifiedTime(f).toMillis();
    } catch (IOException e) {
      throw unreadable(host, f, e);
    }
    return SUMS.computeIfAbsent(
        key,
        k -> {
          try {
            return Digests.sha256Hex(f);
          } catch (IOException e) {
            throw unreadable(host, f, e);
          }
        });
  }

  private static HostException unreadable(HostContext host, Path f, IOException e) {
    return new HostException(
        host.name(),
        "cannot read the image archive " + f + ": " + e.getMessage(),
        "check airgap.imageArchives in the inventory",
        false,
        e);
  }
}
