package io.kfboot.components.plan;

import io.kfboot.manifests.parse.ImageRef;
import io.kfboot.manifests.parse.RuntimeImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Every image a plan needs pulled, for mirrors and air-gapped sites: those its pod templates and
 * custom resources name, and those its controllers start at run time ({@link RuntimeImages}), each
 * with the components it comes from. A pure function of the plan.
 */
public final class ImageInventory {
  /** Where an image is named: a pod template (or resource with containers), or a controller. */
  public enum Source {
    POD_TEMPLATE,
    RUNTIME
  }

  /**
   * @param ref the reference, digest kept
   * @param source POD_TEMPLATE where any component's objects name it so
   * @param components the components that need it
   */
  public record Entry(ImageRef ref, Source source, Set<String> components) {}

  private final SortedMap<String, Entry> entries;

  private ImageInventory(SortedMap<String, Entry> entries) {
    this.entries = entries;
  }

  public static ImageInventory of(InstallPlan plan) {
    SortedMap<String, Source> source = new TreeMap<>();
    SortedMap<String, Set<String>> from = new TreeMap<>();
    for (PlannedComponent c : plan.components()) {
      for (String image : c.images()) {
        source.put(image, Source.POD_TEMPLATE);
        from.computeIfAbsent(image, k -> new TreeSet<>()).add(c.id());
      }
    }
    for (PlannedComponent c : plan.components()) {
      for (String image : RuntimeImages.images(c.objects())) {
        source.putIfAbsent(image, Source.RUNTIME);
        from.computeIfAbsent(image, k -> new TreeSet<>()).add(c.id());
      }
    }
    SortedMap<String, Entry> entries = new TreeMap<>();
    source.forEach(
        (image, s) ->
            entries.put(image, new Entry(ImageRef.parse(image), s, Set.copyOf(from.get(image)))));
    return new ImageInventory(entries);
  }

  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  /** Registry to its images, registries and images in name order. */
  public SortedMap<String, List<Entry>> byRegistry() {
    SortedMap<String, List<Entry>> out = new TreeMap<>();
    entries
        .values()
        .forEach(e -> out.computeIfAbsent(e.ref().registry(), k -> new ArrayList<>()).add(e));
    return out;
  }

  /** Registry to its number of images, for reports and golden counts. */
  public SortedMap<String, Integer> countsByRegistry() {
    SortedMap<String, Integer> out = new TreeMap<>();
    byRegistry().forEach((r, l) -> out.put(r, l.size()));
    return out;
  }

  public List<Entry> pinnedByDigest() {
    return entries.values().stream().filter(e -> e.ref().pinnedByDigest()).toList();
  }

  /**
   * What the mirrors leave out: the images of every registry {@code mirrored} says no to, by
   * registry.
   */
  public SortedMap<String, List<Entry>> notCovered(Predicate<String> mirrored) {
    SortedMap<String, List<Entry>> out = new TreeMap<>();
    for (Map.Entry<String, List<Entry>> e : byRegistry().entrySet()) {
      if (!mirrored.test(e.getKey())) {
        out.put(e.getKey(), e.getValue());
      }
    }
    return out;
  }
}
