package io.kfboot.manifests.vendor;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.ExternalProcess;
import io.kfboot.manifests.ManifestsException.DownloadException;
import io.kfboot.manifests.ManifestsException.InvalidSourceException;
import io.kfboot.manifests.ManifestsException.RemoteBasesException;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.archive.SafeExtractor;
import io.kfboot.manifests.render.RemoteBase;
import io.kfboot.manifests.render.RemoteBaseScanner;
import io.kfboot.manifests.source.HttpDownloader;
import io.kfboot.manifests.source.ReleaseResolver;
import io.kfboot.manifests.source.ReleaseTree;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Makes an offline bundle of a release: fetches every remote base reachable from the given
 * kustomization paths (git repositories at their ref, or single files over HTTP), copies them into
 * {@code .kfboot-vendor/} inside the tree, rewrites the kustomizations to point there by relative
 * path, and writes a tarball that {@code --manifests} accepts. Remote bases inside fetched content
 * are vendored too.
 */
public final class Vendorer {
  private static final int MAX_ROUNDS = 5;
  private static final Duration GIT_TIMEOUT = Duration.ofMinutes(10);

  private final UrlRewrites rewrites;
  private final HttpDownloader downloader;
  private final Path workRoot;
  private final Progress progress;

  /**
   * @param workRoot a scratch folder (the cache's tmp); everything made there is removed
   */
  public Vendorer(
      UrlRewrites rewrites, HttpDownloader downloader, Path workRoot, Progress progress) {
    this.rewrites = rewrites;
    this.downloader = downloader;
    this.workRoot = workRoot;
    this.progress = progress;
  }

  public VendorResult vendor(ReleaseTree tree, Collection<String> rootPaths, Path out) {
    Path work = workRoot.resolve("vendor-" + Long.toHexString(System.nanoTime()));
    String top = "manifests-" + tree.release().tag() + "-vendored";
    Path copy = work.resolve(top);
    try {
      copyTree(tree.root(), copy);
      Map<String, VendorResult.VendoredSource> done = new LinkedHashMap<>();
      for (int round = 1; ; round++) {
        List<RemoteBase> remote = RemoteBaseScanner.scan(copy, rootPaths);
        if (remote.isEmpty()) {
          break;
        }
        if (round > MAX_ROUNDS) {
          throw new RemoteBasesException(
              "remote bases still remain after " + MAX_ROUNDS + " rounds of vendoring: " + remote,
              "check for remote bases that refer to each other in a loop");
        }
        for (RemoteBase base : remote) {
          VendorResult.VendoredSource source = done.get(base.url());
          if (source == null) {
            source = fetch(base.url(), copy);
            done.put(base.url(), source);
          }
          String rewritten = rewrite(copy, base, source);
          List<String> in = new ArrayList<>(source.rewrittenIn());
          in.add(rewritten);
          done.put(
              base.url(),
              new VendorResult.VendoredSource(
                  source.url(), source.fetchedFrom(), source.resolved(), source.path(), in));
        }
      }
      writeLock(copy, tree, done.values());
      Files.createDirectories(out.toAbsolutePath().getParent());
      Path part = Files.createTempFile(out.toAbsolutePath().getParent(), ".part-", ".tar.gz");
      try {
        writeTarball(copy, top, tree, done.size(), part);
        Files.move(part, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(part);
      }
      return new VendorResult(out, ReleaseResolver.sha256(out), List.copyOf(done.values()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      SafeExtractor.deleteRecursively(work);
    }
  }

  private VendorResult.VendoredSource fetch(String url, Path tree) throws IOException {
    RemoteRef ref;
    try {
      ref = RemoteRef.parse(url);
    } catch (IllegalArgumentException e) {
      throw new RemoteBasesException(e.getMessage(), "vendor it by hand, or report the URL form");
    }
    String from = rewrites.apply(ref.repoUrl());
    Path folder = tree.resolve(ref.vendorFolder());
    if (ref.git()) {
      progress.report("fetching " + from + (ref.ref().isEmpty() ? "" : " at " + ref.ref()));
      String commit = gitFetch(from, ref.ref(), folder);
      Path target = ref.subPath().isEmpty() ? folder : folder.resolve(ref.subPath());
      if (!Files.isDirectory(target)) {
        throw new RemoteBasesException(
            "remote base "
                + url
                + ": folder '"
                + ref.subPath()
                + "' is not in "
                + from
                + " at "
                + ref.ref(),
            "check the URL in the kustomization");
      }
      return new VendorResult.VendoredSource(
          url, from, commit, tree.relativize(target).toString(), List.of());
    }
    progress.report("downloading " + from);
    String fileName = URI.create(ref.repoUrl()).getPath();
    fileName = fileName.substring(fileName.lastIndexOf('/') + 1);
    Files.createDirectories(folder);
    Path file = folder.resolve(fileName);
    downloader.download(URI.create(from), file);
    // kustomize refuses files outside a kustomization's root, so the file gets a kustomization of
    // its own and the reference points at that folder.
    Files.writeString(
        folder.resolve("kustomization.yaml"),
        "# written by kfboot manifests vendor for "
            + url
            + "\n"
            + "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- "
            + fileName
            + "\n");
    return new VendorResult.VendoredSource(
        url,
        from,
        "sha256:" + ReleaseResolver.sha256(file),
        tree.relativize(folder).toString(),
        List.of());
  }

  private String gitFetch(String repoUrl, String ref, Path folder) throws IOException {
    Path clone = Files.createTempDirectory(workRoot, "git-");
    try {
      git(clone, "init", "-q");
      git(clone, "fetch", "-q", "--depth", "1", repoUrl, ref.isEmpty() ? "HEAD" : ref);
      git(clone, "-c", "advice.detachedHead=false", "checkout", "-q", "FETCH_HEAD");
      String commit = git(clone, "rev-parse", "HEAD").strip();
      SafeExtractor.deleteRecursively(clone.resolve(".git"));
      Files.createDirectories(folder.getParent());
      if (!Files.exists(folder)) {
        copyTree(clone, folder);
      }
      return commit;
    } finally {
      SafeExtractor.deleteRecursively(clone);
    }
  }

  private static String git(Path dir, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
    cmd.addAll(List.of(args));
    ExternalProcess.Result r =
        ExternalProcess.run(
            cmd,
            null,
            GIT_TIMEOUT,
            "check the network or use --url-rewrite FROM=TO to fetch from a mirror",
            ExitCategory.NETWORK);
    if (!r.ok()) {
      throw new DownloadException(
          String.join(" ", cmd) + " failed (exit " + r.exitCode() + "): " + r.output().strip(),
          "check the network or use --url-rewrite FROM=TO to fetch from a mirror",
          null);
    }
    return r.output();
  }

  /** Points the kustomization at the vendored copy; returns the file's path in the tree. */
  private static String rewrite(Path tree, RemoteBase base, VendorResult.VendoredSource source)
      throws IOException {
    Path file = tree.resolve(base.kustomization());
    Path relative = file.getParent().relativize(tree.resolve(source.path()));
    String content = Files.readString(file, StandardCharsets.UTF_8);
    String updated = content.replace(base.url(), relative.toString());
    if (updated.equals(content)) {
      throw new InvalidSourceException(
          base.kustomization() + " does not contain '" + base.url() + "' verbatim",
          "vendor this base by hand");
    }
    Files.writeString(file, updated, StandardCharsets.UTF_8);
    return base.kustomization().toString();
  }

  private static void writeLock(
      Path tree, ReleaseTree origin, Collection<VendorResult.VendoredSource> sources)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    sb.append("# written by kfboot manifests vendor: what was fetched, and what it resolved to\n");
    sb.append("release: ").append(origin.release().tag()).append('\n');
    sb.append("commit: ").append(origin.release().commit()).append('\n');
    sb.append("sources:\n");
    for (var s : sources) {
      sb.append("- url: '").append(s.url().replace("'", "''")).append("'\n");
      sb.append("  fetchedFrom: '").append(s.fetchedFrom().replace("'", "''")).append("'\n");
      sb.append("  resolved: ").append(s.resolved()).append('\n');
      sb.append("  path: ").append(s.path()).append('\n');
    }
    Path lock = tree.resolve(".kfboot-vendor/lock.yaml");
    Files.createDirectories(lock.getParent());
    Files.writeString(lock, sb.toString(), StandardCharsets.UTF_8);
  }

  private static void writeTarball(Path tree, String top, ReleaseTree origin, int sources, Path out)
      throws IOException {
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out));
        GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      TarArchiveEntry global =
          new TarArchiveEntry("pax_global_header", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER);
      global.addPaxHeader("comment", origin.release().commit());
      global.addPaxHeader(ReleaseResolver.VENDORED_PAX_KEY, Integer.toString(sources));
      // commons-compress writes and closes a global pax header entry in putArchiveEntry.
      tar.putArchiveEntry(global);
      List<Path> paths;
      try (Stream<Path> walk = Files.walk(tree)) {
        paths = walk.sorted(Comparator.comparing(Path::toString)).toList();
      }
      for (Path p : paths) {
        String rel = tree.relativize(p).toString();
        if (rel.equals(".kfboot-tree.properties")) {
          continue;
        }
        String name = rel.isEmpty() ? top + "/" : top + "/" + rel;
        if (Files.isSymbolicLink(p)) {
          TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
          e.setLinkName(Files.readSymbolicLink(p).toString());
          tar.putArchiveEntry(e);
          tar.closeArchiveEntry();
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
          e.setMode(0755 | TarArchiveEntry.DEFAULT_DIR_MODE & ~0777);
          tar.putArchiveEntry(e);
          tar.closeArchiveEntry();
        } else {
          TarArchiveEntry e = new TarArchiveEntry(p.toFile(), name);
          e.setMode(Files.isExecutable(p) ? 0100755 : 0100644);
          e.setModTime(0);
          tar.putArchiveEntry(e);
          Files.copy(p, tar);
          tar.closeArchiveEntry();
        }
      }
    }
  }

  /** Copies a tree, keeping symlinks as links. */
  static void copyTree(Path from, Path to) throws IOException {
    Files.walkFileTree(
        from,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            if (dir.getFileName() != null
                && dir.getFileName().toString().equals(".git")
                && !dir.equals(from)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            Files.createDirectories(to.resolve(from.relativize(dir).toString()));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Path target = to.resolve(from.relativize(file).toString());
            if (attrs.isSymbolicLink()) {
              Files.createSymbolicLink(target, Files.readSymbolicLink(file));
            } else {
              Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
