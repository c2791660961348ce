package io.kfboot.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the formatter (Spotless with google-java-format, checked by {@code mvn verify}) leaves to
 * people: no line over 120 columns (but a comment that is a link), and no fully-qualified name
 * inline in code, where an import says it once.
 */
class SourceStyleTest {
  private static final Pattern INLINE_FQN =
      Pattern.compile("(?<![\\w.@])(java|javax|io|com|org|picocli)\\.([a-z][a-z0-9_]*\\.)*[A-Z]");
  private static final Pattern STRING =
      Pattern.compile("\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])+'");

  static List<Path> sources() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.tools/"))
          .sorted()
          .toList();
    }
  }

  @Test
  void noLineOver120ColumnsAndNoInlineFullyQualifiedName() throws IOException {
    List<Path> files = sources();
    assertThat(files).as("the sources this test reads").hasSizeGreaterThan(200);
    List<String> problems = new ArrayList<>();
    for (Path f : files) {
      List<String> lines = Files.readAllLines(f);
      boolean inComment = false;
      boolean inTextBlock = false;
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        String where = f.getFileName() + ":" + (i + 1);
        if (line.length() > 120 && !line.strip().matches("(//|\\*).*https?://\\S+\\)?")) {
          problems.add(where + " is " + line.length() + " columns");
        }
        String code = line;
        if (inTextBlock) {
          if (!code.contains("\"\"\"")) {
            continue;
          }
          inTextBlock = false;
          code = code.substring(code.indexOf("\"\"\"") + 3);
        }
        if (inComment) {
          if (!code.contains("*/")) {
            continue;
          }
          inComment = false;
          code = code.substring(code.indexOf("*/") + 2);
        }
        if (code.startsWith("import ") || code.startsWith("package ")) {
          continue;
        }
        code = STRING.matcher(code.replace("\"\"\"", "\u0000")).replaceAll("\"\"");
        if (code.contains("\u0000")) {
          inTextBlock = true;
          code = code.substring(0, code.indexOf('\u0000'));
        }
        int lineComment = code.indexOf("//");
        if (lineComment >= 0) {
          code = code.substring(0, lineComment);
        }
        int block = code.indexOf("/*");
        if (block >= 0) {
          inComment = !code.substring(block).contains("*/");
          code = code.substring(0, block);
        }
        if (INLINE_FQN.matcher(code).find()) {
          problems.add(where + " names a class by its full name inline: " + line.strip());
        }
      }
    }
    assertThat(problems).isEmpty();
  }
}
