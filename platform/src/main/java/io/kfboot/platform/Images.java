package io.kfboot.platform;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Mirror;
import io.kfboot.components.plan.ImageInventory;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * {@code kfboot images}: the images of the plan the settings make (pod templates and the images
 * controllers start), and whether the inventory's registry mirrors cover them.
 */
public final class Images {
  private final PlatformSettings settings;
  private final PlatformListener listener;

  public Images(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /**
   * @param plan what the images come from (its release and components)
   * @param images the inventory of them
   */
  public record Listed(InstallPlan plan, ImageInventory images) {}

  public Listed list() {
    InstallPlan plan = new ReleasePlanner(settings, listener).offlinePlan();
    return new Listed(plan, ImageInventory.of(plan));
  }

  /**
   * How the mirrors meet the images.
   *
   * @param registries every registry the images come from, to the endpoint its pulls go to first
   *     (empty: the registry itself)
   * @param notCovered registries without a mirror, and their images
   * @param defaultEndpointDisabled whether those pulls fail (no fallback to the registry)
   */
  public record MirrorCheck(
      SortedMap<String, List<String>> registries,
      SortedMap<String, List<ImageInventory.Entry>> notCovered,
      boolean defaultEndpointDisabled) {
    public boolean passed() {
      return notCovered.isEmpty() || !defaultEndpointDisabled;
    }
  }

  /** The images against the inventory's registries.mirrors (its own entry, else "*"). */
  public static MirrorCheck checkMirrors(ImageInventory images, Inventory.Registries registries) {
    SortedMap<String, List<String>> endpoints = new TreeMap<>();
    images
        .byRegistry()
        .keySet()
        .forEach(
            r ->
                endpoints.put(r, registries.mirrorFor(r).map(Mirror::endpoints).orElse(List.of())));
    SortedMap<String, List<ImageInventory.Entry>> missing =
        images.notCovered(r -> !endpoints.get(r).isEmpty());
    return new MirrorCheck(endpoints, missing, registries.disableDefaultEndpoint());
  }

  /** {@link #checkMirrors(ImageInventory, Inventory.Registries)} with the settings' inventory. */
  public MirrorCheck checkMirrors(ImageInventory images) {
    Inventory inv = settings.requireInventory();
    if (inv.registries().mirrors().isEmpty()) {
      throw new KfbootException(
          "the inventory " + settings.inventoryFile() + " lists no registries.mirrors to check",
          "add registries.mirrors (see docs/inventory.md, \"Registries\"), or drop --check-mirrors",
          ExitCategory.INVALID_INPUT);
    }
    return checkMirrors(images, inv.registries());
  }

  /** An error naming the registries an air-gapped site's mirrors leave out. */
  public static void requirePassed(MirrorCheck check) {
    if (check.passed()) {
      return;
    }
    throw new KfbootException(
        "with the default endpoints disabled, "
            + check.notCovered().values().stream().mapToInt(List::size).sum()
            + " images cannot be pulled: no mirror for "
            + String.join(", ", check.notCovered().keySet()),
        "add those registries (or \"*\") under registries.mirrors with the endpoints that hold"
            + " them, copy the images there ('kfboot images --by-registry' lists them), then"
            + " 'kfboot hosts up' rolls the new registries.yaml",
        ExitCategory.INVALID_INPUT);
  }
}
