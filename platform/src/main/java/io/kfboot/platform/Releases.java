package io.kfboot.platform;

import io.kfboot.components.catalog.Catalogs;
import java.util.List;

/** The kubeflow/manifests releases this kfboot has catalogs for. */
public final class Releases {
  private Releases() {}

  public record Supported(
      String tag, String commit, String kustomizeMinVersion, int components, int defaults) {}

  public static List<Supported> supported() {
    return Catalogs.shipped().catalogs().stream()
        .map(
            c ->
                new Supported(
                    c.release().tag(),
                    c.release().commit(),
                    c.kustomizeMinVersion().toString(),
                    c.components().size(),
                    c.defaults().size()))
        .toList();
  }
}
