package io.kfboot.manifests.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.manifests.ManifestsException.InvalidSourceException;
import io.kfboot.manifests.ManifestsException.RenderException;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real kustomize on the real v1.10.2 and 26.03 trees. */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class RendererTest {
  @TempDir Path tmp;

  @Test
  void rendersRealPathsInParallelKeepingOrder() {
    ReleaseTree tree = Fixtures.tree(Fixtures.V1_10_2);
    Renderer r = new Renderer(Fixtures.kustomize(), 2, Duration.ofMinutes(3), Progress.SILENT);
    var out =
        r.renderAll(
            tree.root(), List.of("common/istio/istio-crds/base", "common/cert-manager/base"));
    assertThat(out.keySet())
        .containsExactly("common/istio/istio-crds/base", "common/cert-manager/base");
    assertThat(out.get("common/istio/istio-crds/base").objects())
        .hasSize(14)
        .allMatch(K8sObject::isCrd);
    List<K8sObject> cm = out.get("common/cert-manager/base").objects();
    assertThat(cm).hasSize(49);
    assertThat(cm).filteredOn(K8sObject::isCrd).hasSize(6);
    assertThat(cm)
        .anyMatch(o -> o.kind().equals("Deployment") && o.name().equals("cert-manager-webhook"));
  }

  @Test
  void kustomizeErrorsCarryStderr() throws IOException {
    Path root = tmp.resolve("tree");
    Files.createDirectories(root.resolve("broken"));
    Files.writeString(
        root.resolve("broken/kustomization.yaml"), "resources:\n- does-not-exist.yaml\n");
    Renderer r = new Renderer(Fixtures.kustomize(), 1, Duration.ofMinutes(1), Progress.SILENT);
    assertThatThrownBy(() -> r.render(root, "broken"))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("kustomize build broken failed")
        .hasMessageContaining("does-not-exist.yaml");
  }

  @Test
  void aFailedRenderLeavesNoKustomizeRunningAndNoTemporaryFile() throws Exception {
    Path root = tmp.resolve("tree");
    Files.createDirectories(root.resolve("slow"));
    Files.createDirectories(root.resolve("bad"));
    Path pid = tmp.resolve("slow.pid");
    Path fake = tmp.resolve("bin/kustomize");
    Files.createDirectories(fake.getParent());
    // "slow" hangs in a child process; "bad" fails once "slow" runs
    Files.writeString(
        fake,
        """
        #!/bin/sh
        if [ "$1" = version ]; then echo v5.7.1; exit 0; fi
        case "$2" in
          */slow) sleep 600 & echo $! > %1$s; wait ;;
          */bad) i=0; while [ ! -s %1$s ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; echo boom >&2; exit 1 ;;
        esac
        """
            .formatted(pid));
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path tmpdir = Path.of(System.getProperty("java.io.tmpdir"));
    long before = kustomizeTempFiles(tmpdir);
    Renderer r =
        new Renderer(
            Kustomize.probe(fake, false, Duration.ofSeconds(10)),
            2,
            Duration.ofMinutes(5),
            Progress.SILENT);
    assertThatThrownBy(() -> r.renderAll(root, List.of("bad", "slow")))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("boom");
    long child = Long.parseLong(Files.readString(pid).trim());
    Path stat = Path.of("/proc/" + child + "/stat");
    String state =
        Files.exists(stat)
            ? Files.readString(stat).replaceFirst("^.*\\) ", "").substring(0, 1)
            : "gone";
    assertThat(state)
        .as("the other render's kustomize (and its child) stopped when the run failed")
        .isIn("gone", "Z", "X");
    assertThat(kustomizeTempFiles(tmpdir))
        .as("temporary files of kustomize output left")
        .isLessThanOrEqualTo(before);
  }

  private static long kustomizeTempFiles(Path dir) throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("kfboot-kustomize-")).count();
    }
  }

  @Test
  void missingPathIsRefusedBeforeRendering() {
    Renderer r = new Renderer(Fixtures.kustomize(), 1, Duration.ofMinutes(1), Progress.SILENT);
    assertThatThrownBy(() -> r.renderAll(tmp, List.of("nope")))
        .isInstanceOf(InvalidSourceException.class)
        .hasMessageContaining("'nope' does not exist");
    assertThatThrownBy(() -> r.renderAll(tmp, List.of("../outside")))
        .isInstanceOf(InvalidSourceException.class);
  }

  @Test
  void aHangingKustomizeIsKilledAtTheTimeout() throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path fake = bin.resolve("kustomize");
    Files.writeString(
        fake, "#!/bin/sh\nif [ \"$1\" = version ]; then echo v5.5.0; exit 0; fi\nsleep 600\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(tmp.resolve("tree/app"));
    Kustomize k = Kustomize.locate(Optional.empty(), Map.of("PATH", bin.toString()));
    Renderer r = new Renderer(k, 1, Duration.ofMillis(500), Progress.SILENT);
    long start = System.nanoTime();
    assertThatThrownBy(() -> r.render(tmp.resolve("tree"), "app"))
        .isInstanceOf(RenderException.class)
        .hasMessageContaining("ran past its timeout");
    // far from both ends, so that load cannot decide it: 0.5 s asked, 600 s if not killed
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMinutes(2));
  }

  @Test
  void remoteBasesOf2603AreFoundBeforeRendering() {
    ReleaseTree tree = Fixtures.tree(Fixtures.V26_03);
    List<RemoteBase> pipelines =
        RemoteBaseScanner.scan(tree.root(), List.of("applications/pipeline/overlays"));
    assertThat(pipelines)
        .extracting(RemoteBase::url)
        .contains(
            "https://github.com/argoproj/argo-workflows/manifests/base/workflow-controller?ref=v3.7.3");
    assertThat(RemoteBaseScanner.scan(tree.root(), List.of("applications/trainer/overlays")))
        .extracting(RemoteBase::url)
        .containsExactly(
            "https://github.com/kubernetes-sigs/jobset/releases/download/v0.10.1/manifests.yaml");
    assertThat(
            RemoteBaseScanner.scan(
                tree.root(), List.of("applications/katib/upstream/installs/katib-with-kubeflow")))
        .isEmpty();
    assertThat(RemoteBaseScanner.scan(Fixtures.tree(Fixtures.V1_10_2).root(), List.of("example")))
        .isEmpty();
  }

  @Test
  void versionsCompare() {
    assertThat(SemVer.parse("v5.4.3")).isLessThan(SemVer.parse("5.5.0"));
    assertThat(SemVer.parse("5.10.0")).isGreaterThan(SemVer.parse("5.9.9"));
    assertThat(SemVer.parse("5.5")).isEqualTo(new SemVer(5, 5, 0));
    assertThatThrownBy(() -> SemVer.parse("five")).isInstanceOf(IllegalArgumentException.class);
  }
}
