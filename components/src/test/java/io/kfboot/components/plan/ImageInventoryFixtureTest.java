package io.kfboot.components.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.components.install.SimulatedPlans;
import io.kfboot.testing.Golden;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images of each fixture release's default plan, per registry, against golden files: what an
 * air-gapped site must mirror. A release that moves an image to another registry shows up in the
 * diff.
 */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class ImageInventoryFixtureTest {
  static String report(String tag, ImageInventory images) {
    StringBuilder sb =
        new StringBuilder("# images of the default plan of kubeflow/manifests " + tag + "\n");
    sb.append("# registry: pod-template images + runtime images\n");
    images
        .byRegistry()
        .forEach(
            (registry, entries) -> {
              long pod =
                  entries.stream()
                      .filter(e -> e.source() == ImageInventory.Source.POD_TEMPLATE)
                      .count();
              sb.append(registry)
                  .append(": ")
                  .append(pod)
                  .append(" + ")
                  .append(entries.size() - pod)
                  .append('\n');
            });
    sb.append("total: ")
        .append(images.entries().size())
        .append(", pinned by digest: ")
        .append(images.pinnedByDigest().size())
        .append("\n\n");
    for (ImageInventory.Entry e : images.entries()) {
      sb.append(e.ref().image())
          .append("  ")
          .append(e.source().name().toLowerCase())
          .append("  ")
          .append(String.join(",", e.components().stream().sorted().toList()))
          .append('\n');
    }
    return sb.toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {"v1.10.2", "26.03"})
  void imagesPerRegistryMatchTheGoldenInventory(String tag) throws Exception {
    InstallPlan plan = SimulatedPlans.of(tag);
    ImageInventory images = ImageInventory.of(plan);
    Golden.check("images/" + tag + ".txt", report(tag, images));

    // what holds whatever the golden says: the plan's own images are all in, digests kept
    List<String> all = images.entries().stream().map(e -> e.ref().image()).toList();
    assertThat(all).containsAll(plan.images());
    assertThat(images.pinnedByDigest())
        .isNotEmpty()
        .allMatch(e -> e.ref().image().contains("@sha256:") && e.ref().registry().equals("gcr.io"));
    assertThat(all)
        .as("the controllers' runtime images are listed too")
        .anyMatch(i -> i.contains("kfp-launcher"))
        .anyMatch(i -> i.contains("argoexec"))
        .anyMatch(i -> i.contains("storage-initializer"))
        .anyMatch(i -> i.contains("suggestion-"))
        .anyMatch(i -> i.contains("notebook-servers/jupyter-scipy"));
  }
}
