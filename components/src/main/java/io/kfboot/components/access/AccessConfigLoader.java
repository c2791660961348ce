package io.kfboot.components.access;

import io.kfboot.components.auth.AuthConfig;
import io.kfboot.components.auth.AuthConfigReader;
import io.kfboot.components.gateway.GatewayConfigReader;
import io.kfboot.components.profiles.ProfileSpec;
import io.kfboot.components.profiles.ProfilesReader;
import io.kfboot.components.stores.StoresConfig;
import io.kfboot.components.stores.StoresConfigReader;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.core.YamlReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;

/**
 * Reads the components layer's sections of an inventory file: the access sections ({@code auth:},
 * {@code profiles:}, {@code gateway:}) and the external stores ({@code pipelines:}, {@code
 * katib:}), every problem with its line, and refuses the file as a whole; the other top-level keys
 * are the bootstrap inventory loader's.
 */
public final class AccessConfigLoader {
  /** The top-level keys this loader reads; the inventory loader lets them through. */
  public static final Set<String> SECTIONS = Set.of("auth", "profiles", "gateway");

  /**
   * The stores' top-level keys, read by {@link #parseStores}; the inventory loader lets them
   * through.
   */
  public static final Set<String> STORE_SECTIONS = Set.of("pipelines", "katib");

  private AccessConfigLoader() {}

  public static AccessConfig load(Path file) {
    return parse(read(file), file.toString(), file.toAbsolutePath().getParent());
  }

  /** The stores sections of an inventory file ({@code pipelines:}, {@code katib:}). */
  public static StoresConfig loadStores(Path file) {
    return parseStores(read(file), file.toString(), file.toAbsolutePath().getParent());
  }

  public static StoresConfig parseStores(String text, String source, Path base) {
    YamlReader yaml = new YamlReader();
    Map<String, Node> sections = sections(yaml, text, source, STORE_SECTIONS);
    StoresConfig stores =
        new StoresConfigReader(yaml, base).read(sections.get("pipelines"), sections.get("katib"));
    if (!yaml.problems().isEmpty()) {
      throw refused(source, yaml.problems());
    }
    return stores;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw refused(file.toString(), List.of("cannot read it: " + e.getMessage()));
    }
  }

  /** The top-level sections of {@code names}; a document that is no mapping is refused. */
  private static Map<String, Node> sections(
      YamlReader yaml, String text, String source, Set<String> names) {
    MappingNode top = yaml.root(new StringReader(text), "a mapping").orElse(null);
    if (top == null) {
      throw refused(source, yaml.problems());
    }
    Map<String, Node> sections = new LinkedHashMap<>();
    for (NodeTuple t : top.getValue()) {
      String key = YamlReader.scalar(t.getKeyNode());
      if (names.contains(key)) {
        sections.put(key, t.getValueNode());
      }
    }
    return sections;
  }

  public static AccessConfig parse(String text, String source, Path base) {
    YamlReader yaml = new YamlReader();
    Map<String, Node> sections = sections(yaml, text, source, SECTIONS);
    AuthConfig auth = new AuthConfigReader(yaml, base).read(sections.get("auth"));
    List<ProfileSpec> profiles =
        new ProfilesReader(yaml, auth.groups().keySet(), !auth.directoryGroups().isEmpty())
            .read(sections.get("profiles"));
    AccessConfig config =
        new AccessConfig(
            auth, profiles, new GatewayConfigReader(yaml).read(sections.get("gateway")));
    if (!yaml.problems().isEmpty()) {
      throw refused(source, yaml.problems());
    }
    return config;
  }

  private static KfbootException refused(String source, List<String> problems) {
    return new KfbootException(
        "inventory "
            + source
            + " has "
            + problems.size()
            + " problem"
            + (problems.size() == 1 ? "" : "s")
            + ":\n  "
            + String.join("\n  ", problems),
        "correct the inventory as each line says (see docs/identity.md); nothing was changed",
        ExitCategory.INVALID_INPUT);
  }
}
