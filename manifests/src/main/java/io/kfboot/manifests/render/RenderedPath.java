package io.kfboot.manifests.render;

import io.kfboot.manifests.parse.K8sObject;
import java.time.Duration;
import java.util.List;

/** The objects one kustomization path renders to, in kustomize's order. */
public record RenderedPath(String path, List<K8sObject> objects, Duration took) {
  public RenderedPath {
    objects = List.copyOf(objects);
  }
}
