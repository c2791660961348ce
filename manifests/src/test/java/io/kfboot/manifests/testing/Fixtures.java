package io.kfboot.manifests.testing;

import io.kfboot.manifests.ManifestsException;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.archive.ArchiveLimits;
import io.kfboot.manifests.archive.SafeExtractor;
import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.source.ReleaseRef;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.testing.Skips;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real upstream tarballs from shared/fixtures and a real kustomize. Tests that need either are
 * skipped, with the reason printed, where they are missing.
 */
public final class Fixtures {
  public static final ReleaseRef V1_10_2 =
      new ReleaseRef("v1.10.2", "d8d643f1a736b28c525bd9b8ee5c9b2f4a661b39");
  public static final ReleaseRef V26_03 =
      new ReleaseRef("26.03", "d68ebc7fab366ab40ddd1541d2ec22febb31bc83");

  private static final Map<String, Path> EXTRACTED = new ConcurrentHashMap<>();

  private Fixtures() {}

  public static Path dir() {
    String p = System.getProperty("kfboot.fixtures", "../../shared/fixtures/kubeflow-manifests");
    return Path.of(p).toAbsolutePath().normalize();
  }

  /** The tarball of a release; skips the test where shared/fixtures is absent. */
  public static Path tarball(ReleaseRef release) {
    Path t = dir().resolve(release.tag() + ".tar.gz");
    if (!Files.isRegularFile(t)) {
      // CI's shared/ holds some releases only: a missing folder is a gap there, a missing release
      // is not
      Skips.unavailable(
          !Files.isDirectory(dir()),
          "fixture " + t + " is missing (shared/fixtures must lie beside the checkout)");
    }
    return t;
  }

  /** The release extracted once per test JVM into a temp folder. */
  public static ReleaseTree tree(ReleaseRef release) {
    Path tarball = tarball(release);
    Path root =
        EXTRACTED.computeIfAbsent(
            release.tag(),
            tag -> {
              try {
                Path dir = Files.createTempDirectory("kfboot-fixture-").resolve(tag);
                new SafeExtractor(ArchiveLimits.DEFAULT).extract(tarball, dir);
                return dir;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
    return new ReleaseTree(root, release, tarball.toString(), false);
  }

  /** A real kustomize from PATH or KFBOOT_KUSTOMIZE; skips the test where there is none. */
  public static Kustomize kustomize() {
    try {
      return Kustomize.locate(Optional.empty(), System.getenv());
    } catch (ManifestsException.KustomizeUnavailableException e) {
      Skips.unavailable(
          true, "no kustomize here: " + e.getMessage() + " (.ci/run installs kubectl)");
      throw e;
    }
  }

  public static Progress progress() {
    return Progress.SILENT;
  }
}
