package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import io.kfboot.components.access.AccessConfig;
import io.kfboot.components.access.AccessConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every inventory example of the docs is a file under docs/examples/ that the real loader reads,
 * and every copy of one in README.md or docs/*.md is that file, word for word.
 */
class DocsExamplesTest {
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  @TempDir Path tmp;

  @Test
  void everyExampleInventoryLoads() throws Exception {
    List<Path> examples;
    try (Stream<Path> files = Files.list(ROOT.resolve("docs/examples"))) {
      examples = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(examples)
        .extracting(p -> p.getFileName().toString())
        .contains("inventory.yaml", "one-machine.yaml", "team.yaml", "airgapped.yaml");
    // the files the full example names, where it names them: keys and airgap artefacts
    Files.createDirectories(tmp.resolve(".ssh"));
    Files.writeString(tmp.resolve(".ssh/id_ecdsa"), "a key\n");
    for (String f :
        List.of(
            "k3s",
            "k3s-airgap-images-amd64.tar.zst",
            "install.sh",
            "ldap-ca.pem",
            "harbor-ca.pem",
            "mirror-ca.pem",
            "kubeflow-images.tar.zst")) {
      Files.writeString(tmp.resolve(f), "x");
    }
    String home = System.getProperty("user.home");
    System.setProperty("user.home", tmp.toString());
    try {
      for (Path example : examples) {
        Inventory inv =
            InventoryLoader.parse(Files.readString(example), example.getFileName().toString(), tmp);
        assertThat(inv.hosts()).as(example.getFileName().toString()).isNotEmpty();
        // and the access sections, by the components' loader
        AccessConfig access =
            AccessConfigLoader.parse(
                Files.readString(example), example.getFileName().toString(), tmp);
        if (example.getFileName().toString().equals("airgapped.yaml")) {
          assertThat(inv.registries().disableDefaultEndpoint()).isTrue();
          assertThat(inv.registries().mirrors()).containsKey("*");
          assertThat(inv.airgap().imageArchives()).hasSize(1);
        }
        if (example.getFileName().toString().equals("team.yaml")) {
          assertThat(access.auth().users()).hasSize(3);
          assertThat(access.auth().connectors())
              .extracting(c -> c.type())
              .containsExactly("ldap", "oidc");
        }
      }
    } finally {
      System.setProperty("user.home", home);
    }
  }

  @Test
  void inventoriesShownInTheDocsAreTheExampleFiles() throws Exception {
    List<String> examples = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("docs/examples"))) {
      for (Path f : files.toList()) {
        examples.add(withoutLeadingComments(Files.readString(f)));
      }
    }
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> files = Files.list(ROOT.resolve("docs"))) {
      pages.addAll(files.filter(f -> f.toString().endsWith(".md")).toList());
    }
    Pattern yamlBlock = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL);
    Pattern heredoc = Pattern.compile("<<'(\\w+)'\\n(.*?)\\n\\1\\n", Pattern.DOTALL);
    int shown = 0;
    for (Path page : pages) {
      String text = Files.readString(page);
      for (Pattern p : List.of(yamlBlock, heredoc)) {
        Matcher m = p.matcher(text);
        while (m.find()) {
          String block = m.group(m.groupCount()).strip();
          if (block.contains("hosts:")) {
            shown++;
            assertThat(examples)
                .as(page.getFileName() + " shows an inventory that is no file of docs/examples")
                .contains(block);
          }
        }
      }
    }
    assertThat(shown).as("inventories shown in the docs").isGreaterThanOrEqualTo(2);
  }

  private static String withoutLeadingComments(String s) {
    return String.join("\n", s.lines().dropWhile(l -> l.startsWith("#")).toList()).strip();
  }
}
