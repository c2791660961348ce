package io.kfboot.manifests.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.kfboot.manifests.ManifestsException.DownloadException;
import io.kfboot.manifests.ManifestsException.IntegrityException;
import io.kfboot.manifests.ManifestsException.InvalidSourceException;
import io.kfboot.manifests.ManifestsException.UnknownReleaseException;
import io.kfboot.manifests.archive.ArchiveLimits;
import io.kfboot.manifests.archive.TarBuilder;
import io.kfboot.manifests.testing.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against a loopback HTTP server that serves the real tarballs like GitHub's tag archive URLs. */
class ReleaseResolverTest {
  @TempDir Path tmp;

  private HttpServer server;
  private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
  private final Map<String, List<Integer>> scriptedStatus = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final List<String> progress = Collections.synchronizedList(new ArrayList<>());
  private final KnownReleases known = () -> List.of(Fixtures.V1_10_2, Fixtures.V26_03);

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          String path = exchange.getRequestURI().getPath().substring(1);
          List<Integer> script = scriptedStatus.get(path);
          int status = script != null && !script.isEmpty() ? script.remove(0) : 200;
          byte[] body = bodies.get(path);
          if (status == -1) {
            // Claims the whole length, sends half, and hangs up.
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body, 0, body.length / 2);
            exchange.close();
            return;
          }
          if (body == null || status != 200) {
            exchange.sendResponseHeaders(body == null ? 404 : status, -1);
            exchange.close();
            return;
          }
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private ReleaseResolver resolver() {
    URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    return new ReleaseResolver(
        new CacheDirs(tmp.resolve("cache")),
        known,
        new HttpDownloader(
            Duration.ofSeconds(5), Duration.ofSeconds(30), 3, Duration.ofMillis(10), progress::add),
        base,
        ArchiveLimits.DEFAULT,
        progress::add);
  }

  private void serve(String tag, Path tarball) throws IOException {
    bodies.put(tag + ".tar.gz", Files.readAllBytes(tarball));
  }

  private long treesInCache() throws IOException {
    Path trees = tmp.resolve("cache/trees");
    if (!Files.isDirectory(trees)) return 0;
    try (Stream<Path> s = Files.list(trees)) {
      return s.count();
    }
  }

  @Test
  @DisplayName("a tag is downloaded once, checked against its pinned commit, extracted and reused")
  void downloadsTagOnceAndReuses() throws IOException {
    serve("v1.10.2", Fixtures.tarball(Fixtures.V1_10_2));
    ReleaseTree first =
        resolver().resolve(new ManifestsSource.Tag("v1.10.2"), Optional.empty(), Optional.empty());
    assertThat(first.release()).isEqualTo(Fixtures.V1_10_2);
    assertThat(first.root().resolve("example/kustomization.yaml")).isRegularFile();
    ReleaseTree second =
        resolver().resolve(new ManifestsSource.Tag("v1.10.2"), Optional.empty(), Optional.empty());
    assertThat(second.root()).isEqualTo(first.root());
    assertThat(requests.get()).isEqualTo(1);
    try (Stream<Path> s = Files.list(tmp.resolve("cache/tmp"))) {
      assertThat(s).as("no work left in tmp").isEmpty();
    }
  }

  @Test
  @DisplayName(
      "503s and a connection that drops mid-body are retried; the partial file is never used")
  void retriesTransientFailures() throws IOException {
    serve("v1.10.2", Fixtures.tarball(Fixtures.V1_10_2));
    scriptedStatus.put("v1.10.2.tar.gz", new ArrayList<>(List.of(503, -1)));
    ReleaseTree tree =
        resolver().resolve(new ManifestsSource.Tag("v1.10.2"), Optional.empty(), Optional.empty());
    assertThat(tree.release()).isEqualTo(Fixtures.V1_10_2);
    assertThat(requests.get()).isEqualTo(3);
    assertThat(progress)
        .anyMatch(l -> l.contains("attempt 1/3"))
        .anyMatch(l -> l.contains("attempt 2/3"));
  }

  @Test
  void givesUpAfterBoundedAttemptsAndLeavesNothing() throws IOException {
    serve("v1.10.2", Fixtures.tarball(Fixtures.V1_10_2));
    scriptedStatus.put("v1.10.2.tar.gz", new ArrayList<>(List.of(503, 503, 503, 503)));
    assertThatThrownBy(
            () ->
                resolver()
                    .resolve(
                        new ManifestsSource.Tag("v1.10.2"), Optional.empty(), Optional.empty()))
        .isInstanceOf(DownloadException.class)
        .hasMessageContaining("after 3 attempts");
    assertThat(requests.get()).isEqualTo(3);
    try (Stream<Path> s = Files.list(tmp.resolve("cache/downloads"))) {
      assertThat(s).isEmpty();
    }
  }

  @Test
  void notFoundIsNotRetried() {
    assertThatThrownBy(
            () ->
                resolver()
                    .resolve(
                        new ManifestsSource.Tag("v1.10.2"), Optional.empty(), Optional.empty()))
        .isInstanceOf(DownloadException.class)
        .hasMessageContaining("HTTP 404");
    assertThat(requests.get()).isEqualTo(1);
  }

  @Test
  @DisplayName("a tarball whose commit is not the tag's pin is refused and not extracted")
  void wrongCommitRefused() throws IOException {
    serve("v1.10.2", Fixtures.tarball(Fixtures.V26_03));
    assertThatThrownBy(
            () ->
                resolver()
                    .resolve(
                        new ManifestsSource.Tag("v1.10.2"), Optional.empty(), Optional.empty()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining(Fixtures.V26_03.commit())
        .hasMessageContaining("pinned to " + Fixtures.V1_10_2.commit());
    assertThat(treesInCache()).isZero();
  }

  @Test
  void unknownTagListsSupportedReleases() {
    assertThatThrownBy(
            () ->
                resolver()
                    .resolve(ManifestsSource.parse("v0.1.0"), Optional.empty(), Optional.empty()))
        .isInstanceOf(UnknownReleaseException.class)
        .hasMessageContaining("v0.1.0")
        .satisfies(e -> assertThat(((UnknownReleaseException) e).fix()).contains("v1.10.2, 26.03"));
    assertThat(requests.get()).isZero();
  }

  @Test
  void localTarballIdentifiedByCommitAndSha256Checked() {
    Path tarball = Fixtures.tarball(Fixtures.V26_03);
    ReleaseTree tree =
        resolver()
            .resolve(new ManifestsSource.Tarball(tarball), Optional.empty(), Optional.empty());
    assertThat(tree.release()).isEqualTo(Fixtures.V26_03);
    String sha = ReleaseResolver.sha256(tarball);
    assertThat(
            resolver()
                .resolve(
                    new ManifestsSource.Tarball(tarball),
                    Optional.of(sha.toUpperCase()),
                    Optional.empty())
                .release())
        .isEqualTo(Fixtures.V26_03);
    assertThatThrownBy(
            () ->
                resolver()
                    .resolve(
                        new ManifestsSource.Tarball(tarball),
                        Optional.of("0".repeat(64)),
                        Optional.empty()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("expected " + "0".repeat(64));
    assertThatThrownBy(
            () ->
                resolver()
                    .resolve(
                        new ManifestsSource.Tarball(tarball),
                        Optional.empty(),
                        Optional.of("v1.10.2")))
        .isInstanceOf(IntegrityException.class)
        .satisfies(e -> assertThat(((IntegrityException) e).fix()).contains("this is 26.03"));
  }

  @Test
  void tarballWithoutCommitRefused() throws IOException {
    Path t = tmp.resolve("nocommit.tar.gz");
    try (var b = new TarBuilder(t)) {
      b.dir("top").file("top/common/x.yaml", "a: 1\n");
    }
    assertThatThrownBy(
            () ->
                resolver()
                    .resolve(new ManifestsSource.Tarball(t), Optional.empty(), Optional.empty()))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("no commit id");
  }

  @Test
  void directoryNeedsGitOrRelease() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("checkout/common"));
    ManifestsSource src = ManifestsSource.parse(dir.getParent().toString());
    assertThatThrownBy(() -> resolver().resolve(src, Optional.empty(), Optional.empty()))
        .isInstanceOf(UnknownReleaseException.class)
        .satisfies(e -> assertThat(((UnknownReleaseException) e).fix()).contains("--release"));
    assertThat(resolver().resolve(src, Optional.empty(), Optional.of("26.03")).release())
        .isEqualTo(Fixtures.V26_03);
    assertThatThrownBy(() -> resolver().resolve(src, Optional.of("ab"), Optional.of("26.03")))
        .isInstanceOf(InvalidSourceException.class);
    Path notManifests = Files.createDirectories(tmp.resolve("random"));
    assertThatThrownBy(
            () ->
                resolver()
                    .resolve(
                        ManifestsSource.parse(notManifests.toString()),
                        Optional.empty(),
                        Optional.of("26.03")))
        .isInstanceOf(InvalidSourceException.class)
        .hasMessageContaining("does not look like a kubeflow/manifests tree");
  }

  @Test
  void sourceSpecsParseByShape() throws IOException {
    assertThat(ManifestsSource.parse("v1.10.2")).isEqualTo(new ManifestsSource.Tag("v1.10.2"));
    assertThatThrownBy(() -> ManifestsSource.parse("./missing.tar.gz"))
        .isInstanceOf(InvalidSourceException.class)
        .hasMessageContaining("no such file");
    Path txt = Files.writeString(tmp.resolve("notes.txt"), "x");
    assertThatThrownBy(() -> ManifestsSource.parse(txt.toString()))
        .isInstanceOf(InvalidSourceException.class)
        .hasMessageContaining("not a .tar.gz");
    assertThatThrownBy(() -> ManifestsSource.parse("v1 10"))
        .isInstanceOf(InvalidSourceException.class);
  }

  @Test
  void cacheFollowsXdg() {
    assertThat(CacheDirs.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x", "HOME", "/h")).root())
        .isEqualTo(Path.of("/x/kfboot"));
    assertThat(CacheDirs.fromEnvironment(Map.of("HOME", "/h")).root())
        .isEqualTo(Path.of("/h/.cache/kfboot"));
    assertThat(
            CacheDirs.fromEnvironment(Map.of("KFBOOT_CACHE_DIR", "/k", "XDG_CACHE_HOME", "/x"))
                .root())
        .isEqualTo(Path.of("/k"));
  }
}
