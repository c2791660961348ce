package io.kfboot.manifests.archive;

import io.kfboot.manifests.ManifestsException.ArchiveException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a {@code .tar.gz} that must hold exactly one top-level folder, refusing anything that
 * could write outside the target: absolute names, {@code ..} components, links whose target leaves
 * the tree, device files and FIFOs. Entry count and total size are capped; sizes are counted as
 * bytes are read, not taken from headers.
 *
 * <p>Links are judged by where they really lead, not by their text: a link's target is resolved
 * step by step through the links already in the tree (as the kernel would), no entry may be written
 * through a link (a parent folder that is a link, or a name that already is one), and once every
 * entry is out each link is resolved again, since a later link can change where an earlier one
 * leads. See OWASP's "zip slip" guidance and GNU tar's refusal to follow links it extracted (its
 * {@code --keep-directory-symlink} is opt-in for that reason).
 *
 * <p>On any failure the target folder is deleted, so a caller never sees a half-extracted tree.
 */
public final class SafeExtractor {
  private final ArchiveLimits limits;

  public SafeExtractor(ArchiveLimits limits) {
    this.limits = limits;
  }

  /**
   * Reads only up to the pax global header and returns it; cheap, for identifying a release before
   * extracting it. Returns an empty map for archives without one.
   */
  public static Map<String, String> readGlobalPaxHeaders(Path tarGz) {
    try (TarArchiveInputStream tar = open(tarGz)) {
      TarArchiveEntry first = tar.getNextEntry();
      // commons-compress folds the global header into each entry's extra pax headers.
      return first == null ? Map.of() : Map.copyOf(first.getExtraPaxHeaders());
    } catch (IOException e) {
      throw corrupt(tarGz, e);
    }
  }

  /**
   * Extracts {@code tarGz} into {@code target}, which must not exist yet. The archive's single
   * top-level folder is stripped: its content lands directly in {@code target}.
   */
  public ExtractedArchive extract(Path tarGz, Path target) {
    try {
      Files.createDirectories(target.getParent());
      Files.createDirectory(target);
    } catch (FileAlreadyExistsException e) {
      throw new IllegalArgumentException("extraction target already exists: " + target);
    } catch (IOException e) {
      throw new ArchiveException(
          "cannot create " + target + ": " + e.getMessage(), "check free space and permissions", e);
    }
    boolean ok = false;
    try {
      ExtractedArchive result = extractInto(tarGz, target);
      ok = true;
      return result;
    } finally {
      if (!ok) {
        deleteRecursively(target);
      }
    }
  }

  private ExtractedArchive extractInto(Path tarGz, Path target) {
    Path realRoot;
    try {
      realRoot = target.toRealPath();
    } catch (IOException e) {
      throw new ArchiveException("cannot resolve " + target, "check permissions", e);
    }
    String top = null;
    int entries = 0;
    long total = 0;
    Map<String, String> pax = Map.of();
    try (TarArchiveInputStream tar = open(tarGz)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        if (entries == 0) {
          pax = Map.copyOf(entry.getExtraPaxHeaders());
        }
        if (++entries > limits.maxEntries()) {
          throw hostile(tarGz, "more than " + limits.maxEntries() + " entries");
        }
        String name = entry.getName();
        String[] parts = checkName(tarGz, name);
        if (top == null) {
          top = parts[0];
        } else if (!top.equals(parts[0])) {
          throw new ArchiveException(
              tarGz + " has more than one top-level folder ('" + top + "' and '" + parts[0] + "')",
              "pass a release tarball as GitHub or git archive makes it: one folder holding the"
                  + " tree");
        }
        if (parts.length == 1) {
          if (!entry.isDirectory()) {
            throw new ArchiveException(
                tarGz + ": top-level entry '" + name + "' is not a folder",
                "pass a release tarball as GitHub or git archive makes it: one folder holding the"
                    + " tree");
          }
          continue;
        }
        String[] inTree = Arrays.copyOfRange(parts, 1, parts.length);
        Path dest = target.resolve(String.join("/", inTree));
        refuseWritesThroughLinks(tarGz, name, target, inTree);
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
          // Checked first: commons-compress also calls these isFile().
          throw hostile(
              tarGz,
              "entry '"
                  + name
                  + "' is a "
                  + (entry.isCharacterDevice()
                      ? "character device"
                      : entry.isBlockDevice() ? "block device" : "FIFO"));
        } else if (entry.isDirectory()) {
          Files.createDirectories(dest);
          checkInside(tarGz, name, realRoot, dest);
        } else if (entry.isSymbolicLink()) {
          createSymlink(tarGz, entry, target, realRoot, dest);
        } else if (entry.isLink()) {
          createHardLink(tarGz, entry, top, target, realRoot, dest);
        } else if (entry.isFile()) {
          Files.createDirectories(dest.getParent());
          checkInside(tarGz, name, realRoot, dest.getParent());
          total += copyCapped(tar, dest, tarGz, limits.maxTotalBytes() - total);
          if ((entry.getMode() & 0100) != 0) {
            Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(dest));
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            Files.setPosixFilePermissions(dest, perms);
          }
        } else {
          throw hostile(tarGz, "entry '" + name + "' is a special file");
        }
      }
    } catch (ArchiveException e) {
      throw e;
    } catch (IOException | IllegalArgumentException e) {
      throw corrupt(tarGz, e);
    }
    if (top == null) {
      throw new ArchiveException(
          tarGz + " is an empty archive", "pass a kubeflow/manifests release tarball");
    }
    recheckLinks(tarGz, target);
    return new ExtractedArchive(target, top, pax, entries, total);
  }

  private static String[] checkName(Path tarGz, String name) {
    if (name.startsWith("/")) {
      throw hostile(tarGz, "entry '" + name + "' has an absolute path");
    }
    String trimmed = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    if (trimmed.startsWith("./")) {
      trimmed = trimmed.substring(2);
    }
    String[] parts = trimmed.split("/");
    for (String p : parts) {
      if (p.equals("..")) {
        throw hostile(tarGz, "entry '" + name + "' climbs out with '..'");
      }
      if (p.isEmpty() || p.equals(".") || p.indexOf('\0') >= 0) {
        throw hostile(tarGz, "entry '" + name + "' has an empty or '.' path component");
      }
    }
    return parts;
  }

  private static void createSymlink(
      Path tarGz, TarArchiveEntry entry, Path target, Path realRoot, Path dest) throws IOException {
    String linkName = entry.getLinkName();
    if (linkName.startsWith("/")) {
      throw hostile(tarGz, "symlink '" + entry.getName() + "' points to absolute path " + linkName);
    }
    Path parentInTree = target.relativize(dest.getParent());
    if (!leadsInside(target, parentInTree, linkName)) {
      throw hostile(
          tarGz, "symlink '" + entry.getName() + "' points outside the tree: " + linkName);
    }
    Files.createDirectories(dest.getParent());
    checkInside(tarGz, entry.getName(), realRoot, dest.getParent());
    Files.createSymbolicLink(dest, Path.of(linkName));
  }

  private static void createHardLink(
      Path tarGz, TarArchiveEntry entry, String top, Path target, Path realRoot, Path dest)
      throws IOException {
    String[] parts = checkName(tarGz, entry.getLinkName());
    if (!parts[0].equals(top) || parts.length < 2) {
      throw hostile(tarGz, "hard link '" + entry.getName() + "' points outside the tree");
    }
    String[] sourceInTree = Arrays.copyOfRange(parts, 1, parts.length);
    Path source = target.resolve(String.join("/", sourceInTree));
    // the source is read through its path: no part of it may be a link (one could lead anywhere)
    for (int i = 1; i <= sourceInTree.length; i++) {
      Path prefix = target.resolve(String.join("/", Arrays.copyOfRange(sourceInTree, 0, i)));
      if (Files.isSymbolicLink(prefix)) {
        throw hostile(
            tarGz,
            "hard link '"
                + entry.getName()
                + "' reaches its target through the symlink '"
                + target.relativize(prefix)
                + "'");
      }
    }
    if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
      throw hostile(
          tarGz, "hard link '" + entry.getName() + "' points to a missing or non-regular file");
    }
    Files.createDirectories(dest.getParent());
    checkInside(tarGz, entry.getName(), realRoot, dest.getParent());
    // A copy rather than a link: the extracted tree must not share inodes with anything.
    Files.copy(source, dest);
  }

  /**
   * No entry is written through a link: none of its parent folders may be a link, and its own name
   * may not already be one (opening it would write where the link leads).
   */
  private static void refuseWritesThroughLinks(
      Path tarGz, String name, Path target, String[] inTree) {
    for (int i = 1; i <= inTree.length; i++) {
      Path prefix = target.resolve(String.join("/", Arrays.copyOfRange(inTree, 0, i)));
      if (Files.isSymbolicLink(prefix)) {
        String link = target.relativize(prefix).toString();
        throw hostile(
            tarGz,
            i == inTree.length
                ? "entry '"
                    + name
                    + "' would replace the symlink '"
                    + link
                    + "' (and be written where it leads)"
                : "entry '" + name + "' would be written through the symlink '" + link + "'");
      }
    }
  }

  /** Longest chain of links followed while resolving one, as Linux's MAXSYMLINKS. */
  private static final int MAX_LINK_HOPS = 40;

  /**
   * Whether a link in folder {@code parentInTree} (relative to the tree) with text {@code linkName}
   * leads to a place inside the tree, resolving each component through the links already there.
   */
  static boolean leadsInside(Path target, Path parentInTree, String linkName) {
    Deque<String> at = new ArrayDeque<>();
    for (Path p : parentInTree) {
      if (!p.toString().isEmpty()) {
        at.addLast(p.toString());
      }
    }
    return resolve(target, at, linkName, new int[] {0});
  }

  private static boolean resolve(Path target, Deque<String> at, String linkText, int[] hops) {
    if (linkText.startsWith("/")) {
      return false;
    }
    for (String part : linkText.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (at.isEmpty()) {
          return false;
        }
        at.removeLast();
        continue;
      }
      at.addLast(part);
      Path here = target.resolve(String.join("/", at));
      if (Files.isSymbolicLink(here)) {
        if (++hops[0] > MAX_LINK_HOPS) {
          return false;
        }
        String inner;
        try {
          inner = Files.readSymbolicLink(here).toString();
        } catch (IOException e) {
          return false;
        }
        at.removeLast();
        if (!resolve(target, at, inner, hops)) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * Every link once more, now that the tree is complete: a later link may redirect an earlier one.
   */
  private static void recheckLinks(Path tarGz, Path target) {
    List<Path> links;
    try (Stream<Path> walk = Files.walk(target)) {
      links = walk.filter(Files::isSymbolicLink).toList();
    } catch (IOException | UncheckedIOException e) {
      throw new ArchiveException(
          "cannot read back " + target + ": " + e.getMessage(),
          "check free space and permissions",
          e);
    }
    for (Path link : links) {
      String text;
      try {
        text = Files.readSymbolicLink(link).toString();
      } catch (IOException e) {
        throw new ArchiveException(
            "cannot read the link " + link + ": " + e.getMessage(), "check permissions", e);
      }
      if (!leadsInside(target, target.relativize(link.getParent()), text)) {
        throw hostile(
            tarGz,
            "symlink '"
                + target.relativize(link)
                + "' -> "
                + text
                + " leads outside the tree once every entry is out");
      }
    }
  }

  /** Catches writes through symlinks that were inside the tree when created. */
  private static void checkInside(Path tarGz, String name, Path realRoot, Path dir)
      throws IOException {
    if (!dir.toRealPath().startsWith(realRoot)) {
      throw hostile(tarGz, "entry '" + name + "' would be written outside the tree through a link");
    }
  }

  private static long copyCapped(InputStream in, Path dest, Path tarGz, long budget)
      throws IOException {
    long written = 0;
    byte[] buffer = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(dest)) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        written += n;
        if (written > budget) {
          throw hostile(tarGz, "content exceeds the limit on unpacked size");
        }
        out.write(buffer, 0, n);
      }
    }
    return written;
  }

  private static TarArchiveInputStream open(Path tarGz) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(tarGz), 1 << 16);
    try {
      return new TarArchiveInputStream(new GzipCompressorInputStream(raw));
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  private static ArchiveException hostile(Path tarGz, String what) {
    return new ArchiveException(
        tarGz + " is refused: " + what,
        "use the release tarball from GitHub or the kubeflow/manifests checkout; nothing was"
            + " extracted");
  }

  private static ArchiveException corrupt(Path tarGz, Exception e) {
    String detail = e instanceof EOFException ? "unexpected end of data" : e.getMessage();
    return new ArchiveException(
        tarGz + " is corrupt or truncated (" + detail + ")",
        "delete it and download it again, or check it with 'tar tzf'",
        e);
  }

  /** Deletes a tree without following links. */
  public static void deleteRecursively(Path root) {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // Leave what could not be removed; it is under the cache's tmp folder.
    }
  }
}
