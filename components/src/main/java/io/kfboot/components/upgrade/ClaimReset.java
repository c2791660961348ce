package io.kfboot.components.upgrade;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.kfboot.core.ExitCategory;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.KubernetesConditions;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Empties the volumes of a database's Deployment so that its server starts on a fresh data folder:
 * the Deployment scaled to 0, each claim deleted (Kubernetes keeps a claim until no pod uses it, so
 * its going means the old pods are gone) and made again from its own spec without the bound volume,
 * then the old replica count back. What a restore does before it loads a dump into a MySQL 8.0
 * whose volume holds files 8.4 wrote, which 8.0 cannot open.
 */
public final class ClaimReset {
  private final KubernetesClient client;
  private final Waiter waiter;
  private final Duration timeout;
  private final Consumer<String> progress;

  public ClaimReset(
      KubernetesClient client, Waiter waiter, Duration timeout, Consumer<String> progress) {
    this.client = client;
    this.waiter = waiter;
    this.timeout = timeout;
    this.progress = progress;
  }

  /** Resets every claim the Deployment mounts; the claims' names. */
  public List<String> reset(String namespace, String deployment) {
    var ref = client.apps().deployments().inNamespace(namespace).withName(deployment);
    Deployment d = ref.get();
    if (d == null) {
      throw new UpgradeException(
          "Deployment " + namespace + "/" + deployment + " is not on the cluster",
          "restore the datastore first (--datastore), or reinstall the release the backup was"
              + " taken of",
          ExitCategory.UNEXPECTED_STATE);
    }
    List<PersistentVolumeClaim> claims = new ArrayList<>();
    List<Volume> volumes =
        d.getSpec().getTemplate().getSpec().getVolumes() == null
            ? List.of()
            : d.getSpec().getTemplate().getSpec().getVolumes();
    for (Volume v : volumes) {
      if (v.getPersistentVolumeClaim() != null) {
        String name = v.getPersistentVolumeClaim().getClaimName();
        PersistentVolumeClaim c =
            client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
        if (c != null) {
          claims.add(c);
        }
      }
    }
    int replicas = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    progress.accept("scaling " + namespace + "/" + deployment + " to 0 to empty its volumes");
    scale(ref, 0);
    waiter.await(
        Condition.of(
            "Deployment " + namespace + "/" + deployment + " scaled to 0",
            List.of(namespace),
            () -> {
              Deployment now = ref.get();
              Integer running =
                  now == null || now.getStatus() == null ? null : now.getStatus().getReplicas();
              return running == null || running == 0
                  ? ConditionResult.met("no pods")
                  : ConditionResult.pending(running + " pods");
            }),
        timeout);
    List<String> names = new ArrayList<>();
    for (PersistentVolumeClaim c : claims) {
      String name = c.getMetadata().getName();
      var claim = client.persistentVolumeClaims().inNamespace(namespace).withName(name);
      claim.delete();
      waiter.await(
          Condition.of(
              "PersistentVolumeClaim " + namespace + "/" + name + " deleted",
              List.of(namespace),
              () ->
                  claim.get() == null
                      ? ConditionResult.met("gone")
                      : ConditionResult.pending("still there (a pod still uses it)")),
          timeout);
      client.persistentVolumeClaims().inNamespace(namespace).resource(fresh(c)).create();
      names.add(name);
      progress.accept("made PersistentVolumeClaim " + namespace + "/" + name + " again, empty");
    }
    scale(ref, replicas);
    waiter.await(
        new KubernetesConditions(client).deploymentAvailable(namespace, deployment), timeout);
    return names;
  }

  /** spec.replicas written as any other change (what kubectl scale does through /scale). */
  private static void scale(RollableScalableResource<Deployment> ref, int replicas) {
    ref.edit(
        d -> {
          d.getSpec().setReplicas(replicas);
          return d;
        });
  }

  /** The claim as a new object: its name, labels and spec, without the volume it was bound to. */
  static PersistentVolumeClaim fresh(PersistentVolumeClaim old) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (old.getMetadata().getAnnotations() != null) {
      old.getMetadata()
          .getAnnotations()
          .forEach(
              (k, v) -> {
                // binding state the controllers write; a new claim must be bound afresh
                if (!k.startsWith("pv.kubernetes.io/")
                    && !k.startsWith("volume.kubernetes.io/")
                    && !k.startsWith("volume.beta.kubernetes.io/")) {
                  annotations.put(k, v);
                }
              });
    }
    PersistentVolumeClaimSpec s = old.getSpec();
    return new PersistentVolumeClaimBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withName(old.getMetadata().getName())
                .withNamespace(old.getMetadata().getNamespace())
                .withLabels(old.getMetadata().getLabels())
                .withAnnotations(annotations.isEmpty() ? null : annotations)
                .build())
        .withNewSpec()
        .withAccessModes(s.getAccessModes())
        .withResources(s.getResources())
        .withStorageClassName(s.getStorageClassName())
        .withVolumeMode(s.getVolumeMode())
        .withSelector(s.getSelector())
        .endSpec()
        .build();
  }
}
