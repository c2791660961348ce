package io.kfboot.manifests.vendor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.kfboot.manifests.ManifestsException.DownloadException;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.archive.ArchiveLimits;
import io.kfboot.manifests.archive.SafeExtractor;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.render.RemoteBaseScanner;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.source.HttpDownloader;
import io.kfboot.manifests.source.ReleaseRef;
import io.kfboot.manifests.source.ReleaseResolver;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vendoring against a local git repository (reached through a URL rewrite, as a mirror would be)
 * and a loopback HTTP server; never the internet.
 */
@Requires(Need.GIT)
class VendorerTest {
  @TempDir Path tmp;
  private HttpServer server;
  private final ReleaseRef release = new ReleaseRef("test", "1".repeat(40));

  private static final String CRD_FILE =
      "apiVersion: apiextensions.k8s.io/v1\n"
          + "kind: CustomResourceDefinition\n"
          + "metadata:\n"
          + "  name: jobsets.jobset.x-k8s.io\n"
          + "spec:\n"
          + "  group: jobset.x-k8s.io\n"
          + "  scope: Namespaced\n"
          + "  names: {kind: JobSet, plural: jobsets}\n"
          + "  versions: [{name: v1alpha2, served: true, storage: true, schema: {openAPIV3Schema:"
          + " {type: object}}}]\n";

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/kubernetes-sigs/jobset/releases/download/v0.10.1/manifests.yaml",
        ex -> {
          byte[] b = CRD_FILE.getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, b.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(b);
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void git(Path dir, String... args) throws Exception {
    var cmd =
        new ArrayList<>(
            List.of("git", "-C", dir.toString(), "-c", "user.name=t", "-c", "user.email=t@t"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }

  /** A repository laid out like argo-workflows: a base that refers to a sibling folder. */
  private Path argoRepo() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("mirror/argoproj/argo-workflows"));
    Path base = Files.createDirectories(repo.resolve("manifests/base/workflow-controller"));
    Files.writeString(
        base.resolve("kustomization.yaml"), "resources:\n- ../../common\n- cm.yaml\n");
    Files.writeString(
        base.resolve("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: workflow-controller-configmap\n");
    Path common = Files.createDirectories(repo.resolve("manifests/common"));
    Files.writeString(common.resolve("kustomization.yaml"), "resources:\n- sa.yaml\n");
    Files.writeString(
        common.resolve("sa.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: argo\n");
    git(repo, "init", "-q");
    git(repo, "add", "-A");
    git(repo, "commit", "-qm", "v3.7.3");
    git(repo, "tag", "v3.7.3");
    Files.writeString(
        base.resolve("cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: changed-after-the-tag\n");
    git(repo, "commit", "-qam", "later");
    return repo;
  }

  private ReleaseTree releaseTree() throws IOException {
    Path root = tmp.resolve("release");
    Path app = Files.createDirectories(root.resolve("applications/pipeline/third-party/argo"));
    Files.writeString(
        app.resolve("kustomization.yaml"),
        "# upstream comment stays\n"
            + "resources:\n"
            + "- https://github.com/argoproj/argo-workflows/manifests/base/workflow-controller?ref=v3.7.3\n"
            + "namespace: kubeflow\n");
    Path trainer = Files.createDirectories(root.resolve("applications/trainer/jobset"));
    Files.writeString(
        trainer.resolve("kustomization.yaml"),
        "resources:\n"
            + "- https://github.com/kubernetes-sigs/jobset/releases/download/v0.10.1/manifests.yaml\n");
    Files.createDirectories(root.resolve("common"));
    return new ReleaseTree(root, release, "test", false);
  }

  private Vendorer vendorer() {
    UrlRewrites rewrites =
        UrlRewrites.parse(
            List.of(
                "https://github.com/argoproj/=file://" + tmp.resolve("mirror/argoproj") + "/",
                "https://github.com/kubernetes-sigs/=http://127.0.0.1:"
                    + server.getAddress().getPort()
                    + "/kubernetes-sigs/"));
    return new Vendorer(
        rewrites,
        new HttpDownloader(
            Duration.ofSeconds(5),
            Duration.ofSeconds(30),
            2,
            Duration.ofMillis(10),
            Progress.SILENT),
        Files.exists(tmp.resolve("work")) ? tmp.resolve("work") : mkdirs(tmp.resolve("work")),
        Progress.SILENT);
  }

  private static Path mkdirs(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void bundleRendersOfflineAtThePinnedRef() throws Exception {
    Path repo = argoRepo();
    ReleaseTree tree = releaseTree();
    List<String> roots =
        List.of("applications/pipeline/third-party/argo", "applications/trainer/jobset");
    Path bundle = tmp.resolve("out/bundle.tar.gz");

    VendorResult result = vendorer().vendor(tree, roots, bundle);

    assertThat(result.sources()).hasSize(2);
    assertThat(result.sha256()).isEqualTo(ReleaseResolver.sha256(bundle));
    Map<String, String> pax = SafeExtractor.readGlobalPaxHeaders(bundle);
    assertThat(pax)
        .containsEntry("comment", release.commit())
        .containsEntry(ReleaseResolver.VENDORED_PAX_KEY, "2");
    assertThat(tree.root().resolve("applications/pipeline/third-party/argo/kustomization.yaml"))
        .content()
        .as("the source tree is left alone")
        .contains("https://github.com/argoproj");
    assertThat(Files.list(tmp.resolve("work"))).as("work folder cleaned").isEmpty();

    Path extracted = tmp.resolve("extracted");
    new SafeExtractor(ArchiveLimits.DEFAULT).extract(bundle, extracted);
    assertThat(RemoteBaseScanner.scan(extracted, roots)).isEmpty();
    String rewritten =
        Files.readString(
            extracted.resolve("applications/pipeline/third-party/argo/kustomization.yaml"));
    assertThat(rewritten)
        .contains("# upstream comment stays")
        .contains("../../../../.kfboot-vendor/git/");
    assertThat(Files.readString(extracted.resolve(".kfboot-vendor/lock.yaml")))
        .contains("resolved: " + gitHead(repo, "v3.7.3"))
        .contains("resolved: sha256:");

    var rendered =
        new Renderer(Fixtures.kustomize(), 2, Duration.ofMinutes(1), Progress.SILENT)
            .renderAll(extracted, roots);
    assertThat(rendered.get("applications/pipeline/third-party/argo").objects())
        .extracting(K8sObject::toString)
        .containsExactlyInAnyOrder(
            "ServiceAccount kubeflow/argo", "ConfigMap kubeflow/workflow-controller-configmap");
    assertThat(rendered.get("applications/trainer/jobset").objects())
        .extracting(K8sObject::name)
        .containsExactly("jobsets.jobset.x-k8s.io");
  }

  @Test
  void unreachableRemoteFailsAndWritesNothing() throws Exception {
    ReleaseTree tree = releaseTree();
    Path bundle = tmp.resolve("out/bundle.tar.gz");
    assertThatThrownBy(
            () ->
                vendorer().vendor(tree, List.of("applications/pipeline/third-party/argo"), bundle))
        .isInstanceOf(DownloadException.class)
        .hasMessageContaining("git")
        .satisfies(e -> assertThat(((DownloadException) e).fix()).contains("--url-rewrite"));
    assertThat(bundle).doesNotExist();
    assertThat(Files.list(tmp.resolve("work"))).isEmpty();
  }

  @Test
  void remoteUrlFormsParseLikeKustomize() {
    assertThat(
            RemoteRef.parse(
                "https://github.com/argoproj/argo-workflows/manifests/base/crds/minimal?ref=v3.7.3"))
        .isEqualTo(
            new RemoteRef(
                true,
                "https://github.com/argoproj/argo-workflows",
                "manifests/base/crds/minimal",
                "v3.7.3"));
    assertThat(RemoteRef.parse("https://github.com/kubernetes-sigs/lws//config/default?ref=v0.7.0"))
        .isEqualTo(
            new RemoteRef(
                true, "https://github.com/kubernetes-sigs/lws", "config/default", "v0.7.0"));
    assertThat(RemoteRef.parse("github.com/o/r.git/deploy?version=v1"))
        .isEqualTo(new RemoteRef(true, "https://github.com/o/r.git", "deploy", "v1"));
    assertThat(RemoteRef.parse("git@github.com:o/r//deploy?ref=main"))
        .isEqualTo(new RemoteRef(true, "git@github.com:o/r", "deploy", "main"));
    RemoteRef file =
        RemoteRef.parse(
            "https://github.com/kubernetes-sigs/jobset/releases/download/v0.10.1/manifests.yaml");
    assertThat(file.git()).isFalse();
    assertThat(file.vendorFolder())
        .isEqualTo(
            ".kfboot-vendor/http/github.com/kubernetes-sigs/jobset/releases/download/v0.10.1/manifests.yaml");
    assertThat(RemoteRef.parse("https://evil.example/../../x.yaml").vendorFolder())
        .doesNotContain("..");
    assertThatThrownBy(() -> RemoteRef.parse("ftp://x/y"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rewritesUseTheLongestPrefix() {
    UrlRewrites r =
        UrlRewrites.parse(
            List.of("https://github.com/=https://m/", "https://github.com/argoproj/=file:///a/"));
    assertThat(r.apply("https://github.com/argoproj/x")).isEqualTo("file:///a/x");
    assertThat(r.apply("https://github.com/other/x")).isEqualTo("https://m/other/x");
    assertThat(r.apply("https://gitlab.com/x")).isEqualTo("https://gitlab.com/x");
    assertThatThrownBy(() -> UrlRewrites.parse(List.of("no-equals")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static String gitHead(Path repo, String ref) throws Exception {
    Process p =
        new ProcessBuilder("git", "-C", repo.toString(), "rev-parse", ref + "^{commit}").start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    p.waitFor();
    return out;
  }
}
