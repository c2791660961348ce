package io.kfboot.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Compares rendered text with a file under src/test/resources/golden. Run with
 * -Dkfboot.updateGolden=true to (re)write the files, then review the diff before committing.
 */
public final class Golden {
  private static final Path DIR = Path.of("src/test/resources/golden");

  private Golden() {}

  public static void check(String name, String actual) throws Exception {
    Path file = DIR.resolve(name);
    if (Boolean.getBoolean("kfboot.updateGolden")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual);
    }
    assertThat(file)
        .as("golden file " + file + " (write it with -Dkfboot.updateGolden=true)")
        .exists();
    assertThat(actual).isEqualTo(Files.readString(file));
  }
}
