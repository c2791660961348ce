package io.kfboot.manifests.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.ManifestsException.KustomizeUnavailableException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding and version-checking kustomize, with stand-in binaries that print real version lines. */
class KustomizeTest {
  @TempDir Path tmp;

  private Path script(String dir, String name, String output) throws IOException {
    Path d = Files.createDirectories(tmp.resolve(dir));
    Path p = d.resolve(name);
    Files.writeString(p, "#!/bin/sh\necho '" + output + "'\n");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  @Test
  void prefersStandaloneKustomizeOnPath() throws IOException {
    script("a", "kubectl", "Client Version: v1.32.4\nKustomize Version: v5.5.0");
    script("b", "kustomize", "v5.7.1");
    Kustomize k =
        Kustomize.locate(
            Optional.empty(), Map.of("PATH", tmp.resolve("a") + ":" + tmp.resolve("b")));
    assertThat(k.version()).isEqualTo(new SemVer(5, 7, 1));
    assertThat(k.buildCommand(Path.of("/x")))
        .containsExactly(tmp.resolve("b/kustomize").toString(), "build", "/x");
  }

  @Test
  void fallsBackToKubectl() throws IOException {
    script("a", "kubectl", "Client Version: v1.32.4\nKustomize Version: v5.5.0");
    Kustomize k = Kustomize.locate(Optional.empty(), Map.of("PATH", tmp.resolve("a").toString()));
    assertThat(k.version()).isEqualTo(new SemVer(5, 5, 0));
    assertThat(k.buildCommand(Path.of("/x")))
        .containsExactly(tmp.resolve("a/kubectl").toString(), "kustomize", "/x");
  }

  @Test
  void flagBeatsEnvironmentBeatsPath() throws IOException {
    Path flag = script("f", "kustomize", "v5.6.0");
    Path env = script("e", "kubectl-1.35", "Kustomize Version: v5.7.1");
    script("p", "kustomize", "v5.4.3");
    Map<String, String> environment =
        Map.of("PATH", tmp.resolve("p").toString(), Kustomize.ENV, env.toString());
    assertThat(Kustomize.locate(Optional.of(flag), environment).version())
        .isEqualTo(new SemVer(5, 6, 0));
    assertThat(Kustomize.locate(Optional.empty(), environment).version())
        .isEqualTo(new SemVer(5, 7, 1));
  }

  @Test
  void oldStyleVersionOutputIsReadAndRefusedWhenTooOld() throws IOException {
    script(
        "a",
        "kustomize",
        "{Version:kustomize/v4.5.4 GitCommit:cf3a452 BuildDate:2022-03-28T23:12:45Z}");
    Kustomize k = Kustomize.locate(Optional.empty(), Map.of("PATH", tmp.resolve("a").toString()));
    assertThat(k.version()).isEqualTo(new SemVer(4, 5, 4));
    assertThatThrownBy(() -> k.requireAtLeast(SemVer.parse("5.4.3"), "v1.10.2"))
        .isInstanceOf(KustomizeUnavailableException.class)
        .hasMessageContaining("older than v5.4.3")
        .hasMessageContaining("v1.10.2");
  }

  @Test
  void missingKustomizeNamesTheFix() {
    assertThatThrownBy(() -> Kustomize.locate(Optional.empty(), Map.of("PATH", tmp.toString())))
        .isInstanceOf(KustomizeUnavailableException.class)
        .hasMessageContaining("neither 'kustomize' nor 'kubectl'")
        .satisfies(
            e -> assertThat(((KustomizeUnavailableException) e).fix()).contains("--kustomize"));
    assertThatThrownBy(() -> Kustomize.locate(Optional.of(tmp.resolve("nope")), Map.of()))
        .isInstanceOf(KustomizeUnavailableException.class)
        .hasMessageContaining("not an executable file");
  }

  @Test
  void unreadableVersionIsAnError() throws IOException {
    script("a", "kustomize", "hello");
    assertThatThrownBy(
            () -> Kustomize.locate(Optional.empty(), Map.of("PATH", tmp.resolve("a").toString())))
        .isInstanceOf(KustomizeUnavailableException.class)
        .hasMessageContaining("cannot tell the kustomize version");
  }

  @Test
  void aVersionProbeThatHangsIsStoppedAndNamed() throws Exception {
    // it never closes its output: a probe that reads to the end before its timeout would wait
    // forever
    Path d = Files.createDirectories(tmp.resolve("h"));
    Path hang = d.resolve("kustomize");
    Path pidFile = tmp.resolve("child.pid");
    Files.writeString(hang, "#!/bin/sh\nsleep 600 &\necho $! > " + pidFile + "\nwait\n");
    Files.setPosixFilePermissions(hang, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThatThrownBy(() -> Kustomize.probe(hang, false, Duration.ofSeconds(1)))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining(hang + " version did not finish within 1s")
        .satisfies(
            e -> assertThat(((KfbootException) e).category()).isEqualTo(ExitCategory.MISSING_TOOL));
    long child = Long.parseLong(Files.readString(pidFile).trim());
    // gone, or a zombie waiting for this container's init to reap it: either way no longer running
    Path stat = Path.of("/proc/" + child + "/stat");
    String state =
        Files.exists(stat)
            ? Files.readString(stat).replaceFirst("^.*\\) ", "").substring(0, 1)
            : "gone";
    assertThat(state).as("the hung probe's child is no longer running").isIn("gone", "Z", "X");
  }
}
