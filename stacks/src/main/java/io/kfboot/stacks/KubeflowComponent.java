package io.kfboot.stacks;

import com.pulumi.core.Output;
import com.pulumi.resources.ComponentResource;
import com.pulumi.resources.ComponentResourceOptions;
import com.pulumi.resources.Resource;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.stacks.providers.ConfigGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One component of the plan as a Pulumi component resource, type {@code kfboot:kubeflow:<Id>}: its
 * {@link Stages} as ConfigGroups in order. Depending on it (as the components after it in the
 * catalog's graph do) waits for all of them.
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
    Map<String, ConfigGroup> groups = new HashMap<>();
    for (Stages.Stage stage : Stages.of(c, scopes)) {
      List<Resource> after = new ArrayList<>();
      stage.after().forEach(name -> after.add(groups.get(name)));
      ConfigGroup.Args args =
          new ConfigGroup.Args(
              PulumiValues.objects(stage.objects()),
              c.id() + "-" + stage.name(),
              holdsSecret(stage, secretValues));
      groups.put(
          stage.name(),
          new ConfigGroup(
              c.id() + "-" + stage.name(),
              args,
              ComponentResourceOptions.builder().parent(this).dependsOn(after).build()));
    }
    registerOutputs(Map.of("component", Output.of(c.id())));
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

  static boolean holdsSecret(Stages.Stage stage, Set<String> secretValues) {
    if (stage.objects().stream().anyMatch(o -> "Secret".equals(o.get("kind")))) {
      return true;
    }
    String text = stage.objects().toString();
    return secretValues.stream().anyMatch(text::contains);
  }
}
