package io.kfboot.platform;

import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.source.CacheDirs;
import io.kfboot.manifests.source.HttpDownloader;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.vendor.UrlRewrites;
import io.kfboot.manifests.vendor.VendorResult;
import io.kfboot.manifests.vendor.Vendorer;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An offline bundle of a release: its remote bases fetched in and the kustomizations pointed at the
 * copies.
 */
public final class Vendoring {
  private Vendoring() {}

  public static VendorResult vendor(
      PlatformSettings settings, Path out, List<String> urlRewrites, PlatformListener listener) {
    if (!out.toString().endsWith(".tar.gz") && !out.toString().endsWith(".tgz")) {
      throw new KfbootException(
          "--out " + out + " must end in .tar.gz or .tgz",
          "name the bundle FILE.tar.gz",
          ExitCategory.INVALID_INPUT);
    }
    UrlRewrites rewrites;
    try {
      rewrites = UrlRewrites.parse(urlRewrites);
    } catch (IllegalArgumentException e) {
      throw new KfbootException(
          e.getMessage(),
          "write it as --url-rewrite https://github.com/=https://mirror.example/",
          ExitCategory.INVALID_INPUT);
    }
    ReleasePlanner planner = new ReleasePlanner(settings, listener);
    Catalogs catalogs = planner.catalogs();
    ReleaseTree tree = planner.resolveTree(catalogs);
    ReleaseCatalog catalog = catalogs.require(tree.release());
    Set<String> roots = new LinkedHashSet<>();
    for (ComponentSpec c : catalog.components()) {
      roots.addAll(c.paths());
    }
    roots.add(catalog.examplePath());
    return new Vendorer(
            rewrites,
            HttpDownloader.defaults(listener),
            CacheDirs.fromEnvironment(settings.env()).tmp(),
            listener)
        .vendor(tree, roots, out.toAbsolutePath());
  }
}
