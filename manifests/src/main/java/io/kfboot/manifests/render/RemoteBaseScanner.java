package io.kfboot.manifests.render;

import io.kfboot.manifests.ManifestsException.ParseException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Finds remote bases before kustomize runs, by walking kustomization files from the given paths
 * through their local {@code resources}, {@code bases} and {@code components}.
 */
public final class RemoteBaseScanner {
  private static final List<String> KUSTOMIZATION_NAMES =
      List.of("kustomization.yaml", "kustomization.yml", "Kustomization");
  private static final List<String> FIELDS = List.of("resources", "bases", "components");

  private RemoteBaseScanner() {}

  /** Whether kustomize would treat {@code entry} as something to fetch. */
  public static boolean isRemote(String entry) {
    String e = entry.trim();
    return e.startsWith("https://")
        || e.startsWith("http://")
        || e.startsWith("git@")
        || e.startsWith("ssh://")
        || e.startsWith("git::")
        || e.startsWith("github.com/")
        || e.startsWith("gitlab.com/");
  }

  /** The kustomization file in {@code dir}, if any. */
  public static Optional<Path> kustomizationFile(Path dir) {
    return KUSTOMIZATION_NAMES.stream().map(dir::resolve).filter(Files::isRegularFile).findFirst();
  }

  /** The remote bases reachable from each of {@code paths}, relative to {@code root}. */
  public static List<RemoteBase> scan(Path root, Collection<String> paths) {
    Set<RemoteBase> found = new LinkedHashSet<>();
    Set<Path> visited = new HashSet<>();
    Deque<Path> queue = new ArrayDeque<>();
    for (String p : paths) {
      queue.add(root.resolve(p).normalize());
    }
    while (!queue.isEmpty()) {
      Path dir = queue.removeFirst();
      if (!visited.add(dir)) {
        continue;
      }
      Optional<Path> file = kustomizationFile(dir);
      if (file.isEmpty()) {
        continue;
      }
      Map<String, Object> doc = load(file.get(), root);
      for (String field : FIELDS) {
        if (!(doc.get(field) instanceof List<?> entries)) {
          continue;
        }
        for (Object entry : entries) {
          if (!(entry instanceof String s)) {
            continue;
          }
          if (isRemote(s)) {
            found.add(new RemoteBase(root.relativize(file.get()), field, s.trim()));
          } else {
            Path target = dir.resolve(s).normalize();
            if (Files.isDirectory(target)) {
              queue.add(target);
            }
          }
        }
      }
    }
    return new ArrayList<>(found);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> load(Path file, Path root) {
    LoaderOptions options = new LoaderOptions();
    try (Reader r = Files.newBufferedReader(file)) {
      Object doc = new Yaml(new SafeConstructor(options)).load(r);
      return doc instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    } catch (IOException | YAMLException e) {
      throw new ParseException(
          root.relativize(file) + " cannot be read as a kustomization: " + e.getMessage(),
          "check the release tree; kustomize would fail on it too",
          e);
    }
  }
}
