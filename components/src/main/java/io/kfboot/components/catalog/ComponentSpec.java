package io.kfboot.components.catalog;

import java.util.List;

/**
 * One Kubeflow component of a release, as its catalog data file describes it.
 *
 * @param id stable id, as in the upstream README's component list (e.g. {@code cert-manager})
 * @param description one line for people
 * @param paths kustomize paths relative to the release root, rendered in this order
 * @param namespaces the namespaces its namespaced objects live in (checked against the render)
 * @param dependsOn ids that must be installed, and their gates hold, before this one starts
 * @param gates what must hold before dependents start
 * @param optional whether other default components work without it
 * @param defaultEnabled whether it installs when no component list is given
 */
public record ComponentSpec(
    String id,
    String description,
    List<String> paths,
    List<String> namespaces,
    List<String> dependsOn,
    List<Gate> gates,
    boolean optional,
    boolean defaultEnabled) {

  public ComponentSpec {
    paths = List.copyOf(paths);
    namespaces = List.copyOf(namespaces);
    dependsOn = List.copyOf(dependsOn);
    gates = List.copyOf(gates);
  }
}
