package io.kfboot.storage;

import io.kfboot.bootstrap.command.Command;
import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Nfs;
import io.kfboot.bootstrap.steps.FileStep;
import io.kfboot.bootstrap.steps.HostContext;
import io.kfboot.bootstrap.steps.Step;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The host side of the NFS modes: an NFS server on the inventory host that {@code
 * storage.nfs.server} names (package, export directory, {@value #EXPORTS_PATH}, service), and the
 * NFS client on every node, since the kubelet mounts the volumes. Each step checks first and is a
 * no-op on hosts and modes it does not concern. A server outside the inventory is the site's:
 * kfboot only mounts it.
 */
public final class NfsHostSteps {
  public static final String EXPORTS_PATH = "/etc/exports.d/kfboot.exports";
  static final String SERVER_PACKAGES =
      "set -e; if command -v apt-get >/dev/null; then apt-get update -q;"
          + " DEBIAN_FRONTEND=noninteractive apt-get install -y -q nfs-kernel-server; else dnf"
          + " install -y nfs-utils; fi";
  static final String CLIENT_PACKAGES =
      "set -e; if command -v apt-get >/dev/null; then apt-get update -q;"
          + " DEBIAN_FRONTEND=noninteractive apt-get install -y -q nfs-common; else dnf install -y"
          + " nfs-utils; fi";

  private NfsHostSteps() {}

  /** Every NFS step, in order; run on every host. */
  public static List<Step> all() {
    return List.of(serverPackage(), exportDirectories(), exports(), serverRunning(), client());
  }

  static boolean isServer(HostContext h) {
    Nfs nfs = h.inventory().storage().nfs();
    return h.inventory().storage().mode().nfs()
        && nfs != null
        && h.spec().name().equals(nfs.serverHost());
  }

  /**
   * The export line: the directory, readable by every inventory host (the nodes mount it; pods
   * reach it through them), with the configured options. Pure, so it is tested as a golden file.
   */
  public static String exportsFile(Inventory inv) {
    Nfs nfs = inv.storage().nfs();
    StringBuilder b =
        new StringBuilder(
            "# Written by kfboot for storage.mode "
                + inv.storage().mode().key()
                + "; 'kfboot hosts up' rewrites it.\n");
    b.append(quoteExportPath(nfs.path()));
    for (Inventory.Host h : inv.hosts()) {
      b.append(' ').append(h.address()).append('(').append(nfs.options()).append(')');
    }
    return b.append('\n').toString();
  }

  /**
   * exports(5) wants paths with blanks in double quotes; validated paths have none, but be safe.
   */
  private static String quoteExportPath(String path) {
    return path.matches("[A-Za-z0-9_./-]+") ? path : "\"" + path + "\"";
  }

  static final String SERVER_MARKER = "/var/lib/kfboot/nfs-server-installed";
  static final String ENABLED_MARKER = "/var/lib/kfboot/nfs-server-enabled";
  static final String CLIENT_MARKER = "/var/lib/kfboot/nfs-client-installed";
  static final String REMOVE_SERVER =
      "set -e; if command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get remove"
          + " -y -q nfs-kernel-server; else dnf remove -y nfs-utils; fi";
  static final String REMOVE_CLIENT =
      "set -e; if command -v apt-get >/dev/null; then DEBIAN_FRONTEND=noninteractive apt-get remove"
          + " -y -q nfs-common; else dnf remove -y nfs-utils; fi";

  /** An undo that runs {@code remove} where kfboot left {@code marker}, then removes the marker. */
  static Step removedIfMarked(
      String id, String description, String marker, String what, Command remove) {
    return Step.of(
        id,
        description,
        h ->
            h.file(marker).isPresent()
                ? Step.Check.change(what)
                : Step.Check.ok("kfboot did not do this here"),
        h -> {
          h.rootOk(remove, what);
          h.rootOk(Command.of("rm", "-f", "--", h.path(marker)), "removing " + marker);
        });
  }

  static void mark(HostContext h, String marker, String why) {
    h.write(marker, why + "; 'kfboot hosts reset' undoes it\n", 0644);
  }

  static Step serverPackage() {
    return Step.withUndo(
        serverPackageInstalled(),
        removedIfMarked(
            "nfs-server-package-removed",
            "the NFS server package removed, where kfboot installed it",
            SERVER_MARKER,
            "remove the NFS server package",
            Command.shell(REMOVE_SERVER)));
  }

  static Step serverPackageInstalled() {
    return Step.of(
        "nfs-server-package",
        "the NFS server (nfs-kernel-server or nfs-utils) on the storage.nfs.server host",
        h -> {
          if (!isServer(h)) {
            return Step.Check.ok("not the NFS server");
          }
          return h.root(Command.shell("command -v exportfs")).ok()
              ? Step.Check.ok("exportfs present")
              : Step.Check.change("install the NFS server package");
        },
        h -> {
          h.rootOk(Command.shell(SERVER_PACKAGES), "installing the NFS server");
          mark(h, SERVER_MARKER, "kfboot installed the NFS server");
        });
  }

  /**
   * The export directory and, for nfs-static, one world-writable subdirectory per fixed volume
   * (Kubeflow's MySQL, MinIO and notebooks run as various non-root users; a fixed volume cannot be
   * chowned for each ahead of time).
   */
  static Step exportDirectories() {
    // the exported directory holds every volume's data: reset never deletes it, and says so
    Step kept =
        Step.of(
            "nfs-export-dirs-kept",
            "the exported directory is left in place",
            h ->
                Step.Check.ok(
                    isServer(h)
                        ? h.inventory().storage().nfs().path()
                            + " is kept: it holds the volumes' data; remove it by hand"
                            + " (rm -rf "
                            + h.inventory().storage().nfs().path()
                            + ") once nothing needs it"
                        : "not the NFS server"),
            h -> {});
    return Step.withUndo(exportDirectoriesMade(), kept);
  }

  static Step exportDirectoriesMade() {
    return Step.of(
        "nfs-export-dirs",
        "the exported directory and the fixed volumes' subdirectories (mode 0777)",
        h -> {
          if (!isServer(h)) {
            return Step.Check.ok("not the NFS server");
          }
          List<String> dirs = directories(h);
          // one round trip: "mode path" for each directory that exists (stat fails for the others)
          String out =
              h.root(
                      Command.of("stat", "-c", "%a %n", "--")
                          .arg(dirs.stream().map(h::path).toArray(String[]::new)))
                  .stdout();
          Map<String, String> modes = new HashMap<>();
          out.lines()
              .map(l -> l.split(" ", 2))
              .filter(p -> p.length == 2)
              .forEach(p -> modes.put(p[1], p[0]));
          List<String> wrong = new ArrayList<>();
          for (int i = 0; i < dirs.size(); i++) {
            String mode = modes.get(h.path(dirs.get(i)));
            if (mode == null) {
              wrong.add("create " + dirs.get(i));
            } else if (i > 0 && !mode.equals("777")) {
              wrong.add("chmod 0777 " + dirs.get(i));
            }
          }
          return wrong.isEmpty()
              ? Step.Check.ok(String.join(", ", dirs) + " exist")
              : Step.Check.change(String.join(", ", wrong));
        },
        h -> {
          List<String> dirs = directories(h);
          h.rootOk(
              Command.of("mkdir", "-p", "--")
                  .arg(dirs.stream().map(h::path).toArray(String[]::new)),
              "creating the NFS export directories");
          if (dirs.size() > 1) {
            h.rootOk(
                Command.of("chmod", "0777", "--")
                    .arg(dirs.subList(1, dirs.size()).stream().map(h::path).toArray(String[]::new)),
                "opening the fixed volumes' directories");
          }
        });
  }

  static List<String> directories(HostContext h) {
    Nfs nfs = h.inventory().storage().nfs();
    List<String> dirs = new ArrayList<>(List.of(nfs.path()));
    nfs.volumes().forEach(v -> dirs.add(nfs.path() + "/" + v.name()));
    if (h.inventory().storage().mode() == Inventory.StorageMode.NFS_STATIC) {
      dirs.add(nfs.path() + "/" + StorageComponent.PROBE_VOLUME_DIR);
    }
    return dirs;
  }

  static Step exports() {
    Step removed =
        Step.of(
            "nfs-exports-removed",
            EXPORTS_PATH + " removed and the exports reloaded",
            h ->
                h.file(EXPORTS_PATH).isPresent()
                    ? Step.Check.change("remove " + EXPORTS_PATH)
                    : Step.Check.ok("absent"),
            h -> {
              h.rootOk(
                  Command.of("rm", "-f", "--", h.path(EXPORTS_PATH)), "removing " + EXPORTS_PATH);
              h.root(Command.of("exportfs", "-ra"));
            });
    return Step.withUndo(exportsWritten(), removed);
  }

  static Step exportsWritten() {
    FileStep file =
        new FileStep(
            "nfs-exports",
            EXPORTS_PATH,
            0644,
            h -> exportsFile(h.inventory()),
            List.of(Command.of("exportfs", "-ra")));
    return Step.of(
        file.id(),
        file.description() + " on the NFS server",
        h -> isServer(h) ? file.check(h) : Step.Check.ok("not the NFS server"),
        h -> {
          h.rootOk(Command.of("mkdir", "-p", h.path("/etc/exports.d")), "creating /etc/exports.d");
          file.apply(h);
        });
  }

  static Step serverRunning() {
    return Step.withUndo(
        serverEnabled(),
        removedIfMarked(
            "nfs-server-stopped",
            "the NFS server stopped and disabled, where kfboot enabled it",
            ENABLED_MARKER,
            "systemctl disable --now nfs-server",
            Command.of("systemctl", "disable", "--now", "nfs-server")));
  }

  static Step serverEnabled() {
    return Step.of(
        "nfs-server-running",
        "the NFS server enabled and running",
        h -> {
          if (!isServer(h)) {
            return Step.Check.ok("not the NFS server");
          }
          return h.root(Command.of("systemctl", "is-active", "--quiet", "nfs-server")).ok()
                  && h.root(Command.of("systemctl", "is-enabled", "--quiet", "nfs-server")).ok()
              ? Step.Check.ok("nfs-server active and enabled")
              : Step.Check.change("systemctl enable --now nfs-server");
        },
        h -> {
          h.rootOk(
              Command.of("systemctl", "enable", "--now", "nfs-server"), "starting the NFS server");
          mark(h, ENABLED_MARKER, "kfboot enabled the NFS server");
        });
  }

  static Step client() {
    return Step.withUndo(
        clientInstalled(),
        removedIfMarked(
            "nfs-client-removed",
            "the NFS client removed, where kfboot installed it",
            CLIENT_MARKER,
            "remove the NFS client package",
            Command.shell(REMOVE_CLIENT)));
  }

  static Step clientInstalled() {
    return Step.of(
        "nfs-client",
        "the NFS client (mount.nfs) on every node, for the kubelet to mount volumes",
        h -> {
          if (!h.inventory().storage().mode().nfs()) {
            return Step.Check.ok(
                "storage.mode " + h.inventory().storage().mode().key() + " needs no NFS client");
          }
          return h.root(Command.shell("command -v mount.nfs || test -x /sbin/mount.nfs")).ok()
              ? Step.Check.ok("mount.nfs present")
              : Step.Check.change("install the NFS client (nfs-common or nfs-utils)");
        },
        h -> {
          h.rootOk(Command.shell(CLIENT_PACKAGES), "installing the NFS client");
          mark(h, CLIENT_MARKER, "kfboot installed the NFS client");
        });
  }
}
