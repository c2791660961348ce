package io.kfboot.cli;

import io.kfboot.components.plan.ImageInventory;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.platform.Images;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kfboot images}: every container image of a plan, for mirrors and pre-pulling. */
@Command(
    name = "images",
    mixinStandardHelpOptions = true,
    description =
        "List every container image the planned components need: those their pod templates name"
            + " and those their controllers start (KFP's driver and launcher, Argo's executor, the"
            + " Istio sidecar, KServe's agent and storage initializer, Katib's suggestions, the"
            + " notebook images), digests kept. --by-registry groups them; --check-mirrors checks"
            + " them against the inventory's registries.mirrors.")
final class ImagesCommand extends BaseCommand {
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Selection selection = new Options.Selection();
  @Mixin Options.Platform platform = new Options.Platform();
  @Mixin Options.Output output = new Options.Output();

  @Option(names = "--by-registry", description = "Group the images by the registry they come from.")
  boolean byRegistry;

  @Option(
      names = "--check-mirrors",
      description =
          "Check the images against the inventory's registries.mirrors (-i): where the default"
              + " endpoints are disabled, an image no mirror covers fails the check (exit 2).")
  boolean checkMirrors;

  ImagesCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    release.into(in);
    selection.into(in);
    platform.into(in);
  }

  @Override
  int run(PlatformSettings settings) {
    Images images = new Images(settings, listener(settings));
    Images.Listed listed = images.list();
    ImageInventory inventory = listed.images();
    Images.MirrorCheck check = checkMirrors ? images.checkMirrors(inventory) : null;
    if (output.json()) {
      printJson(json(listed.plan(), inventory, check));
    } else {
      print(text(inventory, check));
    }
    if (check != null) {
      Images.requirePassed(check);
    }
    return ExitCodes.OK;
  }

  private String text(ImageInventory inventory, Images.MirrorCheck check) {
    StringBuilder sb = new StringBuilder();
    if (!byRegistry && check == null) {
      inventory.entries().forEach(e -> sb.append(e.ref().image()).append('\n'));
      return sb.toString();
    }
    inventory
        .byRegistry()
        .forEach(
            (registry, entries) -> {
              sb.append(registry)
                  .append(" (")
                  .append(entries.size())
                  .append(entries.size() == 1 ? " image" : " images");
              if (check != null) {
                List<String> to = check.registries().get(registry);
                sb.append(
                    to.isEmpty()
                        ? check.defaultEndpointDisabled()
                            ? ", NO MIRROR: cannot be pulled"
                            : ", no mirror: pulled from " + registry
                        : ", through " + String.join(", ", to));
              }
              sb.append(")\n");
              if (byRegistry) {
                entries.forEach(
                    e ->
                        sb.append("  ")
                            .append(e.ref().image())
                            .append(
                                e.source() == ImageInventory.Source.RUNTIME ? "  (runtime)" : "")
                            .append('\n'));
              }
            });
    List<ImageInventory.Entry> pinned = inventory.pinnedByDigest();
    if (!pinned.isEmpty()) {
      sb.append(pinned.size())
          .append(
              " images are pinned by digest: copy them with their digests and every platform (e.g."
                  + " skopeo copy --all, crane copy), never pulled and pushed again\n");
    }
    return sb.toString();
  }

  private static Map<String, Object> json(
      InstallPlan plan, ImageInventory inventory, Images.MirrorCheck check) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schemaVersion", 2);
    root.put("release", plan.tree().release().tag());
    root.put("commit", plan.tree().release().commit());
    root.put("images", inventory.entries().stream().map(e -> e.ref().image()).toList());
    Map<String, Object> registries = new LinkedHashMap<>();
    inventory
        .byRegistry()
        .forEach(
            (registry, entries) -> {
              Map<String, Object> r = new LinkedHashMap<>();
              if (check != null) {
                r.put("mirrors", check.registries().get(registry));
                r.put("covered", !check.registries().get(registry).isEmpty());
              }
              r.put(
                  "images",
                  entries.stream()
                      .map(
                          e -> {
                            Map<String, Object> m = new LinkedHashMap<>();
                            m.put("image", e.ref().image());
                            m.put("repository", e.ref().repository());
                            m.put("tag", e.ref().tag());
                            m.put("digest", e.ref().digest());
                            m.put("source", e.source().name().toLowerCase().replace('_', '-'));
                            m.put("components", e.components().stream().sorted().toList());
                            return m;
                          })
                      .toList());
              registries.put(registry, r);
            });
    root.put("registries", registries);
    if (check != null) {
      root.put("defaultEndpointDisabled", check.defaultEndpointDisabled());
      root.put("mirrorsPassed", check.passed());
    }
    Map<String, Object> byComponent = new LinkedHashMap<>();
    plan.components().forEach(c -> byComponent.put(c.id(), List.copyOf(c.images())));
    root.put("components", byComponent);
    return root;
  }
}
