package io.kfboot.stacks;

import com.pulumi.core.Alias;
import com.pulumi.core.Output;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.CustomResourceOptions;
import com.pulumi.resources.Resource;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.stacks.providers.ConfigGroup;
import io.kfboot.stacks.providers.KubernetesObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One component of the plan as a Pulumi component resource, type {@code kfboot:kubeflow:<Id>}: its
 * {@link Stages} as ConfigGroups in order, and the objects each stage retains as resources of their
 * own. Depending on it (as the components after it in the catalog's graph do) waits for all of
 * them.
 */
public final class KubeflowComponent extends ComponentResource {
  /**
   * @param secretValues strings that must not be readable in the stack's state: a stage holding one
   *     (a Secret, the Dex configuration with its hash) is passed as a secret
   * @param options the provider and the components it depends on
   */
  public KubeflowComponent(
      PlannedComponent c,
      Scopes scopes,
      Set<String> secretValues,
      ComponentResourceOptions options) {
    super(type(c.id()), c.id(), options);
    Map<String, List<Resource>> stages = new HashMap<>();
    for (Stages.Stage stage : Stages.of(c, scopes)) {
      List<Resource> after = new ArrayList<>();
      stage.after().forEach(name -> after.addAll(stages.get(name)));
      String group = c.id() + "-" + stage.name();
      List<Resource> made = new ArrayList<>();
      if (!stage.objects().isEmpty()) {
        made.add(
            new ConfigGroup(
                group,
                new ConfigGroup.Args(
                    PulumiValues.objects(stage.objects()),
                    group,
                    holdsSecret(stage.objects(), secretValues)),
                ComponentResourceOptions.builder().parent(this).dependsOn(after).build()));
      }
      for (Map<String, Object> body : stage.retained()) {
        made.add(retained(group, body, secretValues, after));
      }
      stages.put(stage.name(), made);
    }
    registerOutputs(Map.of("component", Output.of(c.id())));
  }

  /**
   * An object Pulumi never deletes ({@code retainOnDelete}): when a release drops it, or on {@code
   * pulumi destroy}, the stack forgets it and it stays, as {@code kfboot upgrade} keeps it. It is
   * named as its stage's ConfigGroup names its children ({@code GROUP:NAMESPACE/NAME}), and aliased
   * to that ConfigGroup as its former parent, so that a stack made by an older kfboot, which had it
   * in the group, takes it over in place rather than deleting it and making it again.
   */
  private Resource retained(
      String group, Map<String, Object> body, Set<String> secretValues, List<Resource> after) {
    @SuppressWarnings("unchecked")
    Map<String, Object> meta = (Map<String, Object>) body.getOrDefault("metadata", Map.of());
    Object ns = meta.get("namespace");
    String name = group + ":" + (ns == null ? "" : ns + "/") + meta.get("name");
    @SuppressWarnings("unchecked")
    Map<String, Object> values = (Map<String, Object>) PulumiValues.of(body);
    return new KubernetesObject(
        name,
        values,
        holdsSecret(List.of(body), secretValues),
        CustomResourceOptions.builder()
            .parent(this)
            .dependsOn(after)
            .retainOnDelete(true)
            .aliases(
                Alias.builder()
                    .parentUrn(urn().applyValue(u -> childUrn(u, ConfigGroup.TYPE, group)))
                    .build())
            .build());
  }

  /**
   * The URN of a child of the resource {@code parentUrn}: "urn:pulumi:S::P::T::N" has children
   * "urn:pulumi:S::P::T$TYPE::NAME".
   */
  static String childUrn(String parentUrn, String type, String name) {
    int cut = parentUrn.lastIndexOf("::");
    return parentUrn.substring(0, cut) + "$" + type + "::" + name;
  }

  /** "kfboot:kubeflow:CertManager" for "cert-manager". */
  public static String type(String id) {
    StringBuilder b = new StringBuilder("kfboot:kubeflow:");
    for (String part : id.split("[-_.]")) {
      if (!part.isEmpty()) {
        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
      }
    }
    return b.toString();
  }

  static boolean holdsSecret(List<Map<String, Object>> objects, Set<String> secretValues) {
    if (objects.stream().anyMatch(o -> "Secret".equals(o.get("kind")))) {
      return true;
    }
    String text = objects.toString();
    return secretValues.stream().anyMatch(text::contains);
  }
}
