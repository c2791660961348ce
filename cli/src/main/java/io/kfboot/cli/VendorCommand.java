package io.kfboot.cli;

import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.manifests.source.CacheDirs;
import io.kfboot.manifests.source.HttpDownloader;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.vendor.UrlRewrites;
import io.kfboot.manifests.vendor.VendorResult;
import io.kfboot.manifests.vendor.Vendorer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot manifests vendor}: an offline bundle with remote bases fetched in. */
@Command(
    name = "vendor",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch the remote bases of a release (git repositories or files over HTTP), rewrite the"
          + " kustomizations to local copies, and write a tarball that --manifests accepts offline."
    })
final class VendorCommand implements Callable<Integer> {
  private final Main.Context context;

  @Mixin ReleaseOptions release = new ReleaseOptions();

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The bundle to write (.tar.gz).")
  Path out;

  @Option(
      names = "--url-rewrite",
      paramLabel = "FROM=TO",
      description = "Fetch URLs starting with FROM from TO instead (a mirror); repeatable.")
  List<String> urlRewrites = new ArrayList<>();

  VendorCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    if (!out.toString().endsWith(".tar.gz") && !out.toString().endsWith(".tgz")) {
      throw new CliException("--out " + out + " must end in .tar.gz or .tgz", "name the bundle FILE.tar.gz");
    }
    UrlRewrites rewrites;
    try {
      rewrites = UrlRewrites.parse(urlRewrites);
    } catch (IllegalArgumentException e) {
      throw new CliException(e.getMessage(), "write it as --url-rewrite https://github.com/=https://mirror.example/");
    }
    StderrProgress progress = new StderrProgress(context.err(), release.quiet);
    Catalogs catalogs = release.catalogs();
    ReleaseTree tree = release.resolveTree(catalogs, context.env(), progress);
    ReleaseCatalog catalog = catalogs.require(tree.release());
    Set<String> roots = new LinkedHashSet<>();
    for (ComponentSpec c : catalog.components()) {
      roots.addAll(c.paths());
    }
    roots.add(catalog.examplePath());
    VendorResult result =
        new Vendorer(
                rewrites,
                HttpDownloader.defaults(progress),
                CacheDirs.fromEnvironment(context.env()).tmp(),
                progress)
            .vendor(tree, roots, out.toAbsolutePath());
    for (VendorResult.VendoredSource s : result.sources()) {
      context.out().println("vendored " + s.url() + " -> " + s.path() + " (" + s.resolved() + ")");
    }
    context.out().println("wrote " + result.bundle() + " sha256 " + result.sha256());
    context.out().println("use it with: kfboot plan --manifests " + result.bundle() + " --sha256 " + result.sha256());
    return ExitCodes.OK;
  }
}
