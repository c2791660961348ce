package io.kfboot.manifests.testing;

import com.sun.net.httpserver.HttpServer;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.archive.ArchiveLimits;
import io.kfboot.manifests.archive.SafeExtractor;
import io.kfboot.manifests.source.HttpDownloader;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.vendor.UrlRewrites;
import io.kfboot.manifests.vendor.VendorResult;
import io.kfboot.manifests.vendor.Vendorer;
import io.kfboot.testing.Skips;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The remote kustomize bases of v1.11.0 and 26.03 as shared/fixtures/mirrors holds them, so that
 * tests vendor those releases with no network, exactly as its README says: the git bases through a
 * file:// rewrite, jobset's release manifest served over loopback.
 */
public final class Mirrors {
  private static final Map<String, ReleaseTree> VENDORED = new ConcurrentHashMap<>();

  private Mirrors() {}

  public static Path dir() {
    return Path.of(System.getProperty("kfboot.mirrors", "../../shared/fixtures/mirrors"))
        .toAbsolutePath()
        .normalize();
  }

  /** The release vendored once per test JVM; skips the test where the mirrors are absent. */
  public static ReleaseTree vendored(ReleaseTree tree, Collection<String> roots) {
    Path mirrors = dir();
    if (!Files.isDirectory(mirrors.resolve("github"))
        || !Files.isDirectory(mirrors.resolve("http"))) {
      Skips.unavailable(
          !Files.isDirectory(mirrors.getParent()),
          "the fixture mirrors "
              + mirrors
              + " are missing (shared/fixtures must lie beside the checkout)");
    }
    return VENDORED.computeIfAbsent(tree.release().tag(), tag -> vendor(tree, roots, mirrors));
  }

  /**
   * A writable copy of the bare git mirrors: as shared/ holds them they have no (empty) refs/
   * folder, without which git does not take a folder for a repository, and shared/ is read-only.
   */
  private static Path gitMirrors(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
          target.toFile().setWritable(true);
        }
      }
    }
    try (Stream<Path> all = Files.walk(to)) {
      for (Path head : all.filter(p -> p.getFileName().toString().equals("HEAD")).toList()) {
        if (Files.isDirectory(head.resolveSibling("objects"))) {
          Files.createDirectories(head.resolveSibling("refs").resolve("heads"));
          Files.createDirectories(head.resolveSibling("refs").resolve("tags"));
        }
      }
    }
    return to;
  }

  private static ReleaseTree vendor(ReleaseTree tree, Collection<String> roots, Path mirrors) {
    HttpServer server = null;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      Path http = mirrors.resolve("http");
      server.createContext(
          "/",
          exchange -> {
            Path file = http.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(http) || !Files.isRegularFile(file)) {
              exchange.sendResponseHeaders(404, -1);
              exchange.close();
              return;
            }
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
      Path work = Files.createTempDirectory("kfboot-vendored-");
      Path github = gitMirrors(mirrors.resolve("github"), work.resolve("github"));
      UrlRewrites rewrites =
          UrlRewrites.parse(
              List.of(
                  "https://github.com/kubernetes-sigs/jobset/releases/download=http://127.0.0.1:"
                      + server.getAddress().getPort()
                      + "/jobset",
                  "https://github.com/=file://" + github + "/"));
      VendorResult result =
          new Vendorer(rewrites, HttpDownloader.defaults(Progress.SILENT), work, Progress.SILENT)
              .vendor(tree, roots, work.resolve(tree.release().tag() + "-vendored.tar.gz"));
      Path root = work.resolve("tree");
      new SafeExtractor(ArchiveLimits.DEFAULT).extract(result.bundle(), root);
      return new ReleaseTree(root, tree.release(), result.bundle().toString(), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (server != null) {
        server.stop(0);
      }
    }
  }
}
