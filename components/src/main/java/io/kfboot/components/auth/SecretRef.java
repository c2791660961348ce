package io.kfboot.components.auth;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.core.YamlReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

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

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /**
   * The reference a mapping {@code {env: VARIABLE}} or {@code {file: PATH}} gives (a bad variable
   * name is a problem of {@code yaml}); null where the mapping is no reference.
   *
   * @param field where it is, for the problem ("auth.connectors[corp].config.bindPW")
   * @param base the folder a relative file resolves against
   */
  public static SecretRef read(YamlReader yaml, MappingNode mn, String field, Path base) {
    if (mn.getValue().size() != 1) {
      return null;
    }
    NodeTuple t = mn.getValue().get(0);
    String key = YamlReader.scalar(t.getKeyNode());
    String value = YamlReader.scalar(t.getValueNode());
    if (key.equals("env")) {
      if (!ENV_NAME.matcher(value).matches()) {
        yaml.problem(t.getValueNode(), field + ": '" + value + "' is no environment variable name");
        return ofEnv("INVALID");
      }
      return ofEnv(value);
    }
    if (key.equals("file")) {
      return ofFile(base.resolve(value));
    }
    return null;
  }

  /**
   * A field that must be a reference: {@code {env: VARIABLE}} or {@code {file: PATH}}; absent,
   * inline or any other shape is a problem of {@code yaml}, and null.
   */
  public static SecretRef require(
      YamlReader yaml, Node node, Node parent, String field, Path base) {
    if (node instanceof MappingNode mn) {
      SecretRef ref = read(yaml, mn, field, base);
      if (ref != null) {
        return ref;
      }
    }
    yaml.problem(
        node == null ? parent : node,
        field
            + (node == null ? " is missing" : " is a secret and may not be written inline")
            + "; give it as {env: VARIABLE} or {file: PATH}");
    return null;
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
