package io.kfboot.components.upgrade;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.kfboot.components.upgrade.UpgradeStep.MigrateStoredVersion;
import io.kfboot.core.ExitCategory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Moves a CRD's objects off a stored version the next release drops, as Kubernetes documents it
 * (https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definition-versioning/#upgrade-existing-objects-to-a-new-stored-version):
 * the new version made the storage version, every object written again unchanged so that the API
 * server stores it in that version, then the old version taken out of {@code
 * status.storedVersions}. Until then the API server refuses a CRD without the old version. Each
 * part checks first, so a rerun after a kill finishes what is left and one after success writes
 * nothing.
 */
public final class StoredVersionMigration {
  private final KubernetesClient client;
  private final Consumer<String> progress;

  public StoredVersionMigration(KubernetesClient client, Consumer<String> progress) {
    this.client = client;
    this.progress = progress;
  }

  /**
   * Migrates the step's CRD.
   *
   * @return how many objects were written again (0 when nothing was stored in the old version)
   */
  public int migrate(MigrateStoredVersion step) {
    var ref = client.apiextensions().v1().customResourceDefinitions().withName(step.crd());
    CustomResourceDefinition crd = ref.get();
    if (crd == null
        || crd.getStatus() == null
        || crd.getStatus().getStoredVersions() == null
        || !crd.getStatus().getStoredVersions().contains(step.from())) {
      return 0;
    }
    CustomResourceDefinitionVersion to = version(crd, step.to());
    if (to == null || !Boolean.TRUE.equals(to.getServed())) {
      throw new UpgradeException(
          "CRD "
              + step.crd()
              + " stores "
              + step.from()
              + " objects but does not serve "
              + step.to()
              + ", so they cannot be rewritten in it",
          "upgrade through a release whose "
              + step.crd()
              + " serves both versions first (see docs/upgrades.md)",
          ExitCategory.UNEXPECTED_STATE);
    }
    if (!Boolean.TRUE.equals(to.getStorage())) {
      progress.accept("CRD " + step.crd() + ": " + step.to() + " made the storage version");
      ref.edit(
          c -> {
            c.getSpec().getVersions().forEach(v -> v.setStorage(v.getName().equals(step.to())));
            return c;
          });
    }
    ResourceDefinitionContext context =
        new ResourceDefinitionContext.Builder()
            .withGroup(crd.getSpec().getGroup())
            .withVersion(step.to())
            .withPlural(crd.getSpec().getNames().getPlural())
            .withKind(crd.getSpec().getNames().getKind())
            .withNamespaced("Namespaced".equals(crd.getSpec().getScope()))
            .build();
    var resources = client.genericKubernetesResources(context);
    List<GenericKubernetesResource> items =
        context.isNamespaceScoped()
            ? resources.inAnyNamespace().list().getItems()
            : resources.list().getItems();
    int rewritten = 0;
    for (GenericKubernetesResource o : items) {
      // an unchanged write: the API server stores it in the storage version; a conflict means
      // someone else wrote it meanwhile, which stores it the same way
      var one =
          context.isNamespaceScoped()
              ? resources.inNamespace(o.getMetadata().getNamespace()).resource(o)
              : resources.resource(o);
      try {
        one.update();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 && e.getCode() != 404) {
          throw e;
        }
      }
      rewritten++;
    }
    progress.accept(
        "CRD " + step.crd() + ": " + rewritten + " objects stored again as " + step.to());
    CustomResourceDefinition now = ref.get();
    List<String> stored = new ArrayList<>(now.getStatus().getStoredVersions());
    stored.remove(step.from());
    if (!stored.contains(step.to())) {
      stored.add(step.to());
    }
    now.getStatus().setStoredVersions(stored);
    client.apiextensions().v1().customResourceDefinitions().resource(now).updateStatus();
    return rewritten;
  }

  private static CustomResourceDefinitionVersion version(
      CustomResourceDefinition crd, String name) {
    return crd.getSpec().getVersions().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElse(null);
  }
}
