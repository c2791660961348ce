package io.kfboot.manifests.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.manifests.ManifestsException.ArchiveException;
import io.kfboot.manifests.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeExtractorTest {
  @TempDir Path tmp;

  private final SafeExtractor extractor = new SafeExtractor(ArchiveLimits.DEFAULT);

  private ArchiveException refused(Path tarball) {
    Path target = tmp.resolve("out");
    Throwable t = Assertions.catchThrowable(() -> extractor.extract(tarball, target));
    assertThat(t).isInstanceOf(ArchiveException.class);
    assertThat(target).as("a refused archive leaves nothing behind").doesNotExist();
    assertThat(tmp.getParent().resolve("escaped")).doesNotExist();
    return (ArchiveException) t;
  }

  @Test
  @DisplayName("extracts the real v1.10.2 tarball, strips the top folder and reads the commit")
  void extractsRealRelease() {
    Path tarball = Fixtures.tarball(Fixtures.V1_10_2);
    ExtractedArchive a = extractor.extract(tarball, tmp.resolve("tree"));
    assertThat(a.gitCommit()).isEqualTo(Fixtures.V1_10_2.commit());
    assertThat(a.topLevelFolder()).isEqualTo("manifests-v1.10.2");
    assertThat(a.root().resolve("example/kustomization.yaml")).isRegularFile();
    assertThat(a.entries()).isGreaterThan(1500);
    assertThat(SafeExtractor.readGlobalPaxHeaders(tarball))
        .containsEntry("comment", Fixtures.V1_10_2.commit());
  }

  @Test
  @DisplayName("keeps the executable bit and creates links that stay inside")
  void keepsModesAndInsideLinks() throws IOException {
    Path t = tmp.resolve("ok.tar.gz");
    try (TarBuilder b = new TarBuilder(t)) {
      b.comment("0".repeat(40))
          .dir("top")
          .file("top/run.sh", "#!/bin/sh\n", 0755)
          .dir("top/sub")
          .file("top/sub/a.yaml", "a: 1\n");
      b.symlink("top/link", "sub/a.yaml");
    }
    ExtractedArchive a = extractor.extract(t, tmp.resolve("tree"));
    assertThat(Files.isExecutable(a.root().resolve("run.sh"))).isTrue();
    assertThat(Files.readString(a.root().resolve("link"))).isEqualTo("a: 1\n");
    assertThat(a.gitCommit()).isEqualTo("0".repeat(40));
  }

  @Test
  void refusesParentTraversal() throws IOException {
    Path t = tmp.resolve("evil.tar.gz");
    try (TarBuilder b = new TarBuilder(t)) {
      b.dir("top").file("top/ok.txt", "ok").file("top/../../escaped", "pwned");
    }
    assertThat(refused(t)).hasMessageContaining("climbs out with '..'");
  }

  @Test
  void refusesAbsolutePaths() throws IOException {
    Path t = tmp.resolve("abs.tar.gz");
    try (TarBuilder b = new TarBuilder(t)) {
      b.dir("top").file("/tmp/escaped", "pwned");
    }
    assertThat(refused(t)).hasMessageContaining("absolute path");
  }

  @Test
  void refusesSymlinkOutOfTheTree() throws IOException {
    Path t = tmp.resolve("link.tar.gz");
    try (TarBuilder b = new TarBuilder(t)) {
      b.dir("top").symlink("top/escape", "../../..").file("top/escape/escaped", "pwned");
    }
    assertThat(refused(t)).hasMessageContaining("points outside the tree");
  }

  @Test
  void refusesAbsoluteSymlink() throws IOException {
    Path t = tmp.resolve("abslink.tar.gz");
    try (TarBuilder b = new TarBuilder(t)) {
      b.dir("top").symlink("top/etc", "/etc");
    }
    assertThat(refused(t)).hasMessageContaining("absolute path /etc");
  }

  @Test
  void refusesDeviceFilesAndFifos() throws IOException {
    Path dev = tmp.resolve("dev.tar.gz");
    try (TarBuilder b = new TarBuilder(dev)) {
      b.dir("top").special("top/null", TarConstants.LF_CHR);
    }
    assertThat(refused(dev)).hasMessageContaining("character device");
    Path fifo = tmp.resolve("fifo.tar.gz");
    try (TarBuilder b = new TarBuilder(fifo)) {
      b.dir("top").special("top/pipe", TarConstants.LF_FIFO);
    }
    assertThat(refused(fifo)).hasMessageContaining("FIFO");
  }

  @Test
  void refusesMoreThanOneTopFolder() throws IOException {
    Path t = tmp.resolve("two.tar.gz");
    try (TarBuilder b = new TarBuilder(t)) {
      b.dir("a").file("a/x", "1").dir("b").file("b/y", "2");
    }
    assertThat(refused(t)).hasMessageContaining("more than one top-level folder");
  }

  @Test
  void capsEntriesAndBytes() throws IOException {
    Path t = tmp.resolve("big.tar.gz");
    try (TarBuilder b = new TarBuilder(t)) {
      b.dir("top");
      for (int i = 0; i < 20; i++) {
        b.file("top/f" + i, "x".repeat(1000));
      }
    }
    Throwable entries =
        Assertions.catchThrowable(
            () -> new SafeExtractor(new ArchiveLimits(10, 1 << 20)).extract(t, tmp.resolve("e")));
    assertThat(entries)
        .isInstanceOf(ArchiveException.class)
        .hasMessageContaining("more than 10 entries");
    Throwable bytes =
        Assertions.catchThrowable(
            () -> new SafeExtractor(new ArchiveLimits(1000, 5000)).extract(t, tmp.resolve("b")));
    assertThat(bytes)
        .isInstanceOf(ArchiveException.class)
        .hasMessageContaining("limit on unpacked size");
    assertThat(tmp.resolve("e")).doesNotExist();
    assertThat(tmp.resolve("b")).doesNotExist();
  }

  @Test
  @DisplayName("a truncated or corrupt real tarball is reported as such, and nothing is left")
  void truncatedAndCorrupt() throws IOException {
    byte[] real = Files.readAllBytes(Fixtures.tarball(Fixtures.V1_10_2));
    Path truncated = tmp.resolve("truncated.tar.gz");
    Files.write(truncated, Arrays.copyOf(real, real.length / 2));
    assertThat(refused(truncated)).hasMessageContaining("corrupt or truncated");
    Path garbage = tmp.resolve("garbage.tar.gz");
    Files.writeString(garbage, "this is not gzip");
    assertThat(refused(garbage)).hasMessageContaining("corrupt or truncated");
    assertThatThrownBy(() -> SafeExtractor.readGlobalPaxHeaders(garbage))
        .isInstanceOf(ArchiveException.class);
  }

  /**
   * The real v1.10.2 tree with hostile entries after it, extracted two folders deep so that an
   * escape has somewhere to land: {@code tmp/outside} holds a file and is where every escape leads.
   */
  private ArchiveException refusedAfterRealTree(String what, HostileEntries hostile)
      throws IOException {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret.txt"), "outside the tree\n");
    Path t = tmp.resolve(what + ".tar.gz");
    try (TarBuilder b = new TarBuilder(t)) {
      String top = b.copyOf(Fixtures.tarball(Fixtures.V1_10_2));
      hostile.add(b, top);
    }
    Path target = tmp.resolve("a/out");
    Throwable thrown = Assertions.catchThrowable(() -> extractor.extract(t, target));
    assertThat(Files.readString(outside.resolve("secret.txt")))
        .as("the file outside is untouched")
        .isEqualTo("outside the tree\n");
    try (var listing = Files.list(outside)) {
      assertThat(listing.map(p -> p.getFileName().toString()).toList())
          .as("nothing was written outside")
          .containsExactly("secret.txt");
    }
    assertThat(thrown).as(what + " is refused").isInstanceOf(ArchiveException.class);
    assertThat(target).as("a refused archive leaves nothing behind").doesNotExist();
    return (ArchiveException) thrown;
  }

  @FunctionalInterface
  private interface HostileEntries {
    void add(TarBuilder b, String top) throws IOException;
  }

  @Test
  @DisplayName(
      "a symlink chain (zz -> ., then zz/zz/esc -> ../../outside) that only looks inside is"
          + " refused")
  void refusesSymlinkChain() throws IOException {
    // lexically zz/zz/../../outside stays inside; through zz -> . it climbs two folders up
    ArchiveException e =
        refusedAfterRealTree(
            "chain",
            (b, top) -> b.symlink(top + "/zz", ".").symlink(top + "/zz/zz/esc", "../../outside"));
    assertThat(e).hasMessageContaining("through the symlink 'zz'");
  }

  @Test
  @DisplayName("a symlink whose text climbs out through a link already there is refused")
  void refusesLinkClimbingThroughALink() throws IOException {
    // lexically deep/zz/zz/../../../outside ends inside; deep/zz -> .. makes it climb one more
    ArchiveException e =
        refusedAfterRealTree(
            "climb",
            (b, top) ->
                b.dir(top + "/deep")
                    .symlink(top + "/deep/zz", "..")
                    .symlink(top + "/esc", "deep/zz/zz/../../../outside"));
    assertThat(e).hasMessageContaining("'" + "manifests-v1.10.2/esc' points outside the tree");
  }

  @Test
  @DisplayName("a file entry named like an escaping symlink is not written through it")
  void refusesWriteThroughSymlink() throws IOException {
    ArchiveException e =
        refusedAfterRealTree(
            "write-through",
            (b, top) ->
                b.symlink(top + "/zz", ".")
                    .symlink(top + "/zz/zz/esc", "../../outside/secret.txt")
                    .file(top + "/esc", "pwned\n"));
    assertThat(e).hasMessageContaining("refused");
  }

  @Test
  @DisplayName("a later entry is not written under a symlinked folder, even one that leads inside")
  void refusesEntriesUnderALink() throws IOException {
    ArchiveException e =
        refusedAfterRealTree(
            "under-link",
            (b, top) ->
                b.symlink(top + "/docs-link", "common")
                    .file(top + "/docs-link/planted.yaml", "kind: Secret\n"));
    assertThat(e).hasMessageContaining("written through the symlink 'docs-link'");
  }

  @Test
  @DisplayName("a hard link whose target path passes through an escaping folder symlink is refused")
  void refusesHardLinkThroughEscapingSymlink() throws IOException {
    ArchiveException e =
        refusedAfterRealTree(
            "hardlink",
            (b, top) ->
                b.symlink(top + "/zz", ".")
                    .symlink(top + "/zz/zz/esc", "../../outside")
                    .hardLink(top + "/copied.txt", top + "/esc/secret.txt"));
    assertThat(e).hasMessageContaining("refused");
  }

  @Test
  @DisplayName("a link that a later link redirects outside (a -> b/../x, then b -> .) is refused")
  void refusesLinkRedirectedByALaterLink() throws IOException {
    ArchiveException later =
        refusedAfterRealTree(
            "redirect2", (b, top) -> b.symlink(top + "/a", "b/../x").symlink(top + "/b", "."));
    assertThat(later).hasMessageContaining("leads outside the tree once every entry is out");
  }

  @Test
  @DisplayName("links of the real tree that stay inside still extract")
  void insideLinksAfterRealTree() throws IOException {
    Path t = tmp.resolve("fine.tar.gz");
    try (TarBuilder b = new TarBuilder(t)) {
      String top = b.copyOf(Fixtures.tarball(Fixtures.V1_10_2));
      b.symlink(top + "/zz", ".").symlink(top + "/ex", "zz/example/kustomization.yaml");
    }
    ExtractedArchive a = extractor.extract(t, tmp.resolve("tree"));
    assertThat(Files.readString(a.root().resolve("ex"))).contains("kind: Kustomization");
  }
}
