package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/cli.md is the command tree, as generated; {@code -Dkfboot.docs.write=true} writes it anew.
 */
class CliReferenceTest {
  static final Path DOC = Path.of("").toAbsolutePath().getParent().resolve("docs/cli.md");

  @Test
  void docsCliMdIsTheCommandTree() throws Exception {
    String generated = CliReference.markdown();
    if (Boolean.getBoolean("kfboot.docs.write")) {
      Files.writeString(DOC, generated);
    }
    assertThat(generated)
        .contains("## `kfboot up`")
        .contains("## `kfboot hosts step`")
        .contains("`--manifests TAG|TARBALL|DIR`")
        .contains("## `kfboot completion`")
        .contains("10 a host unreachable");
    assertThat(Files.readString(DOC))
        .as("docs/cli.md is stale: run the cli tests with -Dkfboot.docs.write=true")
        .isEqualTo(generated);
  }
}
