package io.kfboot.components.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.components.catalog.Catalogs;
import io.kfboot.components.catalog.ComponentSpec;
import io.kfboot.components.catalog.ReleaseCatalog;
import io.kfboot.manifests.Progress;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.ManifestParser;
import io.kfboot.manifests.parse.ObjectKey;
import io.kfboot.manifests.render.Kustomize;
import io.kfboot.manifests.render.RemoteBaseScanner;
import io.kfboot.manifests.render.Renderer;
import io.kfboot.manifests.source.ReleaseTree;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.testing.Skips;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

/**
 * For every shipped catalog whose release tarball lies in the fixtures folder: the default
 * components render the same objects, with the same content, as the release's {@code example/}.
 * Components with remote bases cannot render offline, so they are left out of both sides (example/
 * names their paths verbatim). To check a release CI has no fixture for, put {@code git archive}
 * tarballs named {@code <tag>.tar.gz} in a folder and run with {@code -Dkfboot.fixtures=FOLDER}.
 */
class CatalogMatchesExampleTest {

  @TestFactory
  Stream<DynamicTest> defaultComponentsEqualExample() {
    return Catalogs.shipped().catalogs().stream()
        .map(c -> DynamicTest.dynamicTest(c.release().tag(), () -> check(c)));
  }

  private static void check(ReleaseCatalog catalog) throws Exception {
    Path tarball = Fixtures.dir().resolve(catalog.release().tag() + ".tar.gz");
    if (!Files.isRegularFile(tarball)) {
      String reason = "no fixture " + tarball + " for " + catalog.release().tag();
      Skips.unavailable(false, reason);
    }
    Kustomize kustomize = Fixtures.kustomize();
    ReleaseTree tree = Fixtures.tree(catalog.release());

    List<String> remote = new ArrayList<>();
    List<String> remotePaths = new ArrayList<>();
    for (ComponentSpec c : catalog.defaults()) {
      if (!RemoteBaseScanner.scan(tree.root(), c.paths()).isEmpty()) {
        remote.add(c.id());
        remotePaths.addAll(c.paths());
      }
    }
    if (!remote.isEmpty()) {
      System.err.println(
          "NOTE: "
              + catalog.release().tag()
              + ": leaving out "
              + remote
              + " (remote bases) on both sides");
    }

    Renderer renderer = new Renderer(kustomize, 2, Duration.ofMinutes(3), Progress.SILENT);
    InstallPlan plan =
        new Planner(renderer, Progress.SILENT)
            .plan(
                new Planner.Request(tree, catalog, List.of(), remote, false, List.of()),
                kustomize.describe());
    Map<ObjectKey, Map<String, Object>> planned = new TreeMap<>();
    plan.components().forEach(c -> c.objects().forEach(o -> planned.put(o.key(), o.body())));

    Map<ObjectKey, Map<String, Object>> example = new TreeMap<>();
    for (K8sObject o :
        build(kustomize, exampleWithout(tree.root(), catalog.examplePath(), remotePaths))) {
      example.put(o.key(), o.body());
    }

    assertThat(planned.keySet())
        .as("objects of the default components")
        .containsExactlyElementsOf(example.keySet());
    List<ObjectKey> differentContent =
        example.keySet().stream().filter(k -> !example.get(k).equals(planned.get(k))).toList();
    assertThat(differentContent).as("objects whose content differs from example/").isEmpty();
    assertThat(catalog.exampleDifferences()).isEmpty();
  }

  /** A copy of example/'s kustomization beside it, without the given component paths. */
  @SuppressWarnings("unchecked")
  private static Path exampleWithout(Path root, String examplePath, List<String> leaveOut)
      throws Exception {
    Path exampleDir = root.resolve(examplePath);
    Path kustomization = RemoteBaseScanner.kustomizationFile(exampleDir).orElseThrow();
    Yaml yaml =
        new Yaml(
            new SafeConstructor(new LoaderOptions()),
            new Representer(new DumperOptions()),
            new DumperOptions());
    Map<String, Object> k =
        new LinkedHashMap<>((Map<String, Object>) yaml.load(Files.readString(kustomization)));
    Set<Path> dropped =
        leaveOut.stream().map(p -> root.resolve(p).normalize()).collect(Collectors.toSet());
    List<String> resources = (List<String>) k.getOrDefault("resources", List.of());
    k.put(
        "resources",
        resources.stream()
            .filter(r -> !dropped.contains(exampleDir.resolve(r).normalize()))
            .toList());
    // A sibling of example/, so that its ../ entries resolve the same way.
    Path copy = exampleDir.resolveSibling("kfboot-example-check");
    Files.createDirectories(copy);
    Files.writeString(copy.resolve("kustomization.yaml"), yaml.dump(k));
    return copy;
  }

  private static List<K8sObject> build(Kustomize kustomize, Path dir) throws Exception {
    Process p =
        new ProcessBuilder(kustomize.buildCommand(dir))
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("kustomize build " + dir).isZero();
    return ManifestParser.parse(out, dir.toString());
  }
}
