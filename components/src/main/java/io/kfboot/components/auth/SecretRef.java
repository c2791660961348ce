package io.kfboot.components.auth;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where a secret comes from: an environment variable of the process that runs kfboot, or a file on
 * its machine. The inventory, the stack config and the plan only ever hold the reference; the value
 * is read when a Secret is about to be applied (or a check is about to bind), and never printed.
 *
 * @param env the variable's name, or null
 * @param file the file (one trailing newline is dropped), or null
 */
public record SecretRef(String env, Path file) {
  public SecretRef {
    if ((env == null) == (file == null)) {
      throw new IllegalArgumentException("a secret reference names an env or a file, not both");
    }
  }

  public static SecretRef ofEnv(String name) {
    return new SecretRef(name, null);
  }

  public static SecretRef ofFile(Path file) {
    return new SecretRef(null, file);
  }

  /** "environment variable X" or "file F", for messages; never the value. */
  public String describe() {
    return env != null ? "environment variable " + env : "file " + file;
  }

  /**
   * The value. A variable that is unset or empty, or a file that cannot be read, is refused with
   * {@code field} (the inventory key that names this reference) and the fix.
   */
  public String resolve(Map<String, String> environment, String field) {
    if (env != null) {
      String v = environment.get(env);
      if (v == null || v.isEmpty()) {
        throw new KfbootException(
            field + " names environment variable " + env + ", which is not set",
            "export " + env + " (or give " + field + " as {file: PATH}) before running kfboot",
            ExitCategory.INVALID_INPUT);
      }
      return v;
    }
    try {
      String v = Files.readString(file, StandardCharsets.UTF_8);
      v = v.endsWith("\r\n") ? v.substring(0, v.length() - 2) : v;
      v = v.endsWith("\n") ? v.substring(0, v.length() - 1) : v;
      if (v.isEmpty()) {
        throw new KfbootException(
            field + " names file " + file + ", which is empty",
            "write the secret into " + file,
            ExitCategory.INVALID_INPUT);
      }
      return v;
    } catch (IOException e) {
      throw new KfbootException(
          field
              + " names file "
              + file
              + ", which cannot be read ("
              + e.getClass().getSimpleName()
              + ")",
          "check the path and its permissions (0600, readable by the user running kfboot)",
          ExitCategory.INVALID_INPUT);
    }
  }
}
