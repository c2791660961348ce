package io.kfboot.manifests.source;

import io.kfboot.core.Digests;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.ExternalProcess;
import io.kfboot.manifests.ManifestsException.IntegrityException;
import io.kfboot.manifests.ManifestsException.InvalidSourceException;
import io.kfboot.manifests.ManifestsException.UnknownReleaseException;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.archive.ArchiveLimits;
import io.kfboot.manifests.archive.ExtractedArchive;
import io.kfboot.manifests.archive.SafeExtractor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;

/**
 * Turns a {@link ManifestsSource} into a {@link ReleaseTree} on disk: downloads tags into the
 * cache, checks the pinned commit id and an optional sha256, extracts safely, and reuses earlier
 * extractions of the same bytes.
 */
public final class ReleaseResolver {
  /** GitHub serves tag tarballs made by git archive, with the commit id in the pax header. */
  public static final URI DEFAULT_BASE_URL =
      URI.create("https://github.com/kubeflow/manifests/archive/refs/tags/");

  static final String TREE_MARKER = ".kfboot-tree.properties";

  /** The pax key kfboot's vendor command sets on bundles it writes. */
  public static final String VENDORED_PAX_KEY = "KFBOOT.vendored";

  private final CacheDirs cache;
  private final KnownReleases known;
  private final HttpDownloader downloader;
  private final URI baseUrl;
  private final ArchiveLimits limits;
  private final Progress progress;

  public ReleaseResolver(
      CacheDirs cache,
      KnownReleases known,
      HttpDownloader downloader,
      URI baseUrl,
      ArchiveLimits limits,
      Progress progress) {
    this.cache = cache;
    this.known = known;
    this.downloader = downloader;
    this.baseUrl = baseUrl.toString().endsWith("/") ? baseUrl : URI.create(baseUrl + "/");
    this.limits = limits;
    this.progress = progress;
  }

  /**
   * Resolves a source.
   *
   * @param expectedSha256 checked against a tarball's bytes when present (tags and tarballs)
   * @param releaseOverride for a directory that is no git checkout: which release it holds
   */
  public ReleaseTree resolve(
      ManifestsSource source, Optional<String> expectedSha256, Optional<String> releaseOverride) {
    if (source instanceof ManifestsSource.Tag tag) {
      return resolveTag(tag.tag(), expectedSha256);
    }
    if (source instanceof ManifestsSource.Tarball tarball) {
      return resolveTarball(
          tarball.file(), expectedSha256, releaseOverride, tarball.file().toString());
    }
    ManifestsSource.Directory dir = (ManifestsSource.Directory) source;
    if (expectedSha256.isPresent()) {
      throw new InvalidSourceException(
          "--sha256 applies to tarballs, but --manifests " + dir.dir() + " is a directory",
          "drop --sha256, or pass the tarball");
    }
    return resolveDirectory(dir.dir(), releaseOverride);
  }

  private ReleaseTree resolveTag(String tag, Optional<String> expectedSha256) {
    ReleaseRef release =
        requireTag(
            tag, "kubeflow/manifests release '" + tag + "'", " (or a directory with --release)");
    Path tarball = cache.downloads().resolve("manifests-" + tag + ".tar.gz");
    if (!Files.isRegularFile(tarball)) {
      URI url = baseUrl.resolve(tag + ".tar.gz");
      progress.report("downloading " + url);
      long bytes = downloader.download(url, tarball);
      progress.report("downloaded " + (bytes >> 10) + " KiB to " + tarball);
    }
    return resolveTarball(tarball, expectedSha256, Optional.of(release.tag()), "release " + tag);
  }

  private ReleaseTree resolveTarball(
      Path tarball,
      Optional<String> expectedSha256,
      Optional<String> releaseOverride,
      String origin) {
    String sha256 = sha256(tarball);
    if (expectedSha256.isPresent()
        && !expectedSha256.get().toLowerCase(Locale.ROOT).equals(sha256)) {
      throw new IntegrityException(
          tarball + " has sha256 " + sha256 + ", expected " + expectedSha256.get(),
          "download it again from a trusted source, or fix --sha256");
    }
    var pax = SafeExtractor.readGlobalPaxHeaders(tarball);
    String commit = pax.get("comment");
    if (commit == null) {
      throw new IntegrityException(
          tarball
              + " carries no commit id (no pax 'comment' header), so its release cannot be checked",
          "use the tarball GitHub serves for the tag (made by git archive), or extract it and pass"
              + " the directory with --release TAG");
    }
    ReleaseRef release = identify(commit, releaseOverride, tarball.toString());
    boolean vendored = pax.containsKey(VENDORED_PAX_KEY);
    Path tree = cache.trees().resolve(release.tag() + "-" + sha256.substring(0, 16));
    if (Files.isRegularFile(tree.resolve(TREE_MARKER))) {
      progress.report("using cached " + release + " at " + tree);
      return new ReleaseTree(tree, release, origin, vendored);
    }
    Path work = cache.tmp().resolve("extract-" + Long.toHexString(System.nanoTime()));
    progress.report("extracting " + tarball.getFileName() + " (" + release + ")");
    ExtractedArchive extracted = new SafeExtractor(limits).extract(tarball, work);
    writeMarker(work, release, sha256, vendored);
    try {
      Files.move(work, tree, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
      // Another kfboot extracted the same bytes first; theirs is as good as ours.
      SafeExtractor.deleteRecursively(work);
    } catch (AtomicMoveNotSupportedException e) {
      SafeExtractor.deleteRecursively(work);
      throw new InvalidSourceException(
          "cache folder " + cache.root() + " does not support atomic moves",
          "point KFBOOT_CACHE_DIR at a local filesystem");
    } catch (IOException e) {
      SafeExtractor.deleteRecursively(work);
      throw new UncheckedIOException(e);
    }
    progress.report(
        "extracted " + extracted.entries() + " entries, " + (extracted.bytes() >> 10) + " KiB");
    return new ReleaseTree(tree, release, origin, vendored);
  }

  private ReleaseTree resolveDirectory(Path dir, Optional<String> releaseOverride) {
    if (!Files.isDirectory(dir.resolve("common"))
        && !Files.isDirectory(dir.resolve("applications"))) {
      throw new InvalidSourceException(
          dir + " does not look like a kubeflow/manifests tree (no common/ or applications/)",
          "pass the folder that holds common/, applications/ and example/");
    }
    Optional<String> commit = markerCommit(dir).or(() -> gitHead(dir));
    if (commit.isEmpty()) {
      String tag =
          releaseOverride.orElseThrow(
              () ->
                  new UnknownReleaseException(
                      dir
                          + " is neither a git checkout nor a tree kfboot extracted, so its release"
                          + " is unknown",
                      "name it with --release TAG (one of: " + known.describe() + ")"));
      ReleaseRef release = requireTag(tag, "--release " + tag, "");
      return new ReleaseTree(dir, release, dir.toString(), false);
    }
    return new ReleaseTree(
        dir, identify(commit.get(), releaseOverride, dir.toString()), dir.toString(), false);
  }

  private ReleaseRef identify(String commit, Optional<String> releaseOverride, String what) {
    Optional<ReleaseRef> byCommit = known.byCommit(commit);
    if (releaseOverride.isPresent()) {
      ReleaseRef pinned =
          requireTag(releaseOverride.get(), "release '" + releaseOverride.get() + "'", "");
      if (!pinned.commit().equals(commit)) {
        throw new IntegrityException(
            what
                + " is commit "
                + commit
                + ", but "
                + pinned.tag()
                + " is pinned to "
                + pinned.commit(),
            "use the tarball of "
                + pinned.tag()
                + " as GitHub serves it"
                + byCommit.map(r -> ", or drop --release (this is " + r.tag() + ")").orElse(""));
      }
      return pinned;
    }
    return byCommit.orElseThrow(
        () ->
            new UnknownReleaseException(
                what + " is commit " + commit + ", which is no release this kfboot supports",
                "use one of: "
                    + known.describe()
                    + "; or add a catalog for it (see docs/install-engine.md, 'Adding a"
                    + " release')"));
  }

  private ReleaseRef requireTag(String tag, String what, String alternative) {
    return known
        .byTag(tag)
        .orElseThrow(
            () ->
                new UnknownReleaseException(
                    what + " is not supported by this kfboot",
                    "use one of: " + known.describe() + alternative));
  }

  private static Optional<String> markerCommit(Path dir) {
    Path marker = dir.resolve(TREE_MARKER);
    if (!Files.isRegularFile(marker)) {
      return Optional.empty();
    }
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(marker)) {
      props.load(in);
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(props.getProperty("commit"));
  }

  private static Optional<String> gitHead(Path dir) {
    if (!Files.exists(dir.resolve(".git"))) {
      return Optional.empty();
    }
    try {
      ExternalProcess.Result r =
          ExternalProcess.run(
              List.of("git", "-C", dir.toString(), "rev-parse", "HEAD"),
              null,
              Duration.ofSeconds(30),
              "check that git works in " + dir + ", or pass --release TAG",
              ExitCategory.MISSING_TOOL);
      String out = r.output().trim();
      return r.ok() && out.matches("[0-9a-f]{40}") ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static void writeMarker(Path tree, ReleaseRef release, String sha256, boolean vendored) {
    Properties props = new Properties();
    props.setProperty("tag", release.tag());
    props.setProperty("commit", release.commit());
    props.setProperty("sha256", sha256);
    props.setProperty("vendored", Boolean.toString(vendored));
    try (OutputStream out = Files.newOutputStream(tree.resolve(TREE_MARKER))) {
      props.store(out, "written by kfboot after a verified extraction");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Hex sha256 of a file. */
  public static String sha256(Path file) {
    try {
      return Digests.sha256Hex(file);
    } catch (IOException e) {
      throw new InvalidSourceException(
          "cannot read " + file + ": " + e.getMessage(), "check the path");
    }
  }
}
