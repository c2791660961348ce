package io.kfboot.cli;

import io.kfboot.components.catalog.CatalogLoader;
import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.archive.ArchiveLimits;
import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.source.CacheDirs;
import io.kfboot.manifests.source.HttpDownloader;
import io.kfboot.manifests.source.ManifestsSource;
import io.kfboot.manifests.source.ReleaseResolver;
import io.kfboot.manifests.source.ReleaseTree;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Options that pick and render a release, shared by plan, images and manifests vendor. Each value
 * follows one precedence: flag, then environment variable, then default.
 */
final class ReleaseOptions {
  static final String ENV_MANIFESTS = "KFBOOT_MANIFESTS";
  static final String ENV_BASE_URL = "KFBOOT_MANIFESTS_BASE_URL";

  @Option(
      names = "--manifests",
      paramLabel = "TAG|TARBALL|DIR",
      description =
          "kubeflow/manifests release: a tag to download (e.g. v1.10.2), a local .tar.gz, or a"
              + " directory. Env " + ENV_MANIFESTS + "; default: the newest supported release.")
  String manifests;

  @Option(names = "--sha256", paramLabel = "HEX", description = "Expected sha256 of the tarball.")
  String sha256;

  @Option(
      names = "--release",
      paramLabel = "TAG",
      description = "Which release a directory holds, when it is no git checkout; checked against a tarball's commit.")
  String release;

  @Option(
      names = "--catalog",
      paramLabel = "FILE",
      description = "An extra catalog data file, for a release kfboot does not ship.")
  Path catalog;

  @Option(
      names = "--kustomize",
      paramLabel = "PATH",
      description = "kustomize or kubectl binary. Env " + Kustomize.ENV + "; default: kustomize, then kubectl, on PATH.")
  Path kustomize;

  @Option(
      names = "--allow-remote-bases",
      description = "Let kustomize fetch remote bases from the network instead of refusing them.")
  boolean allowRemoteBases;

  @Option(
      names = "--render-timeout",
      paramLabel = "SECONDS",
      description = "Timeout of one kustomize render (default: ${DEFAULT-VALUE}).")
  int renderTimeoutSeconds = 180;

  @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
  boolean quiet;

  /** A resolved release: tree, catalog and the kustomize to render it with. */
  record Loaded(ReleaseTree tree, ReleaseCatalog catalog, Kustomize kustomize) {}

  Catalogs catalogs() {
    Catalogs shipped = Catalogs.shipped();
    return catalog == null ? shipped : shipped.with(CatalogLoader.load(catalog));
  }

  ReleaseTree resolveTree(Catalogs catalogs, Map<String, String> env, Progress progress) {
    String spec =
        Optional.ofNullable(manifests)
            .or(() -> Optional.ofNullable(env.get(ENV_MANIFESTS)).filter(s -> !s.isBlank()))
            .orElseGet(() -> newest(catalogs));
    URI baseUrl =
        Optional.ofNullable(env.get(ENV_BASE_URL))
            .filter(s -> !s.isBlank())
            .map(URI::create)
            .orElse(ReleaseResolver.DEFAULT_BASE_URL);
    ReleaseResolver resolver =
        new ReleaseResolver(
            CacheDirs.fromEnvironment(env),
            catalogs,
            HttpDownloader.defaults(progress),
            baseUrl,
            ArchiveLimits.DEFAULT,
            progress);
    return resolver.resolve(
        ManifestsSource.parse(spec), Optional.ofNullable(sha256), Optional.ofNullable(release));
  }

  Loaded load(Map<String, String> env, Progress progress) {
    Catalogs catalogs = catalogs();
    ReleaseTree tree = resolveTree(catalogs, env, progress);
    ReleaseCatalog releaseCatalog = catalogs.require(tree.release());
    Kustomize k =
        Kustomize.locate(Optional.ofNullable(kustomize), env)
            .requireAtLeast(releaseCatalog.kustomizeMinVersion(), tree.release().tag());
    progress.report("release " + tree.release() + " from " + tree.origin() + "; " + k.describe());
    return new Loaded(tree, releaseCatalog, k);
  }

  private static String newest(Catalogs catalogs) {
    List<String> tags = catalogs.all().stream().map(r -> r.tag()).toList();
    return tags.get(tags.size() - 1);
  }
}
