package io.kfboot.storage;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.kfboot.components.plan.ClusterCheck;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.KubernetesConditions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A claim of the default class binds and a pod writes to it: the gate before any Kubeflow
 * component, so that storage trouble shows here, with its events, and not as Katib's MySQL stuck
 * Pending twenty minutes later. The claim names no class, as Kubeflow's do. A pod is needed because
 * local-path binds only for a consumer (WaitForFirstConsumer). Both are removed afterwards.
 */
public final class ProbeVolumeCheck implements ClusterCheck {
  public static final String NAMESPACE = "kube-system";
  public static final String NAME = "kfboot-storage-probe";
  private static final Map<String, String> LABELS =
      Map.of("app.kubernetes.io/managed-by", "kfboot", "app.kubernetes.io/name", NAME);

  /** For nfs-static: a volume made for the probe claim alone, so that it takes no site volume. */
  private final Map<String, Object> reservedVolume;

  /**
   * @param reservedVolume the PersistentVolume body to create first, or null
   */
  public ProbeVolumeCheck(Map<String, Object> reservedVolume) {
    this.reservedVolume = reservedVolume;
  }

  @Override
  public String description() {
    return "a claim of the default StorageClass binds and a pod writes to it";
  }

  static PersistentVolumeClaim claim() {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(NAME)
        .withNamespace(NAMESPACE)
        .withLabels(LABELS)
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withNewResources()
        .withRequests(Map.of("storage", new Quantity("1Mi")))
        .endResources()
        .endSpec()
        .build();
  }

  static Pod pod() {
    return new PodBuilder()
        .withNewMetadata()
        .withName(NAME)
        .withNamespace(NAMESPACE)
        .withLabels(LABELS)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .addNewContainer()
        .withName("write")
        .withImage(Provisioners.BUSYBOX_IMAGE)
        .withCommand("sh", "-c", "echo kfboot > /data/probe && cat /data/probe && rm /data/probe")
        .addNewVolumeMount()
        .withName("data")
        .withMountPath("/data")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("data")
        .withNewPersistentVolumeClaim()
        .withClaimName(NAME)
        .endPersistentVolumeClaim()
        .endVolume()
        .endSpec()
        .build();
  }

  @Override
  public Condition start(KubernetesClient client) {
    finish(client); // what an interrupted run left
    if (reservedVolume != null) {
      client.persistentVolumes().resource(reservedVolumeObject()).create();
    }
    client.persistentVolumeClaims().inNamespace(NAMESPACE).resource(claim()).create();
    client.pods().inNamespace(NAMESPACE).resource(pod()).create();
    return Condition.of(
        "the storage probe (claim and pod " + NAMESPACE + "/" + NAME + ")",
        List.of(NAMESPACE),
        () -> {
          PersistentVolumeClaim pvc =
              client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(NAME).get();
          String claimPhase =
              pvc == null || pvc.getStatus() == null || pvc.getStatus().getPhase() == null
                  ? "Pending"
                  : pvc.getStatus().getPhase();
          String podPhase =
              KubernetesConditions.phase(client.pods().inNamespace(NAMESPACE).withName(NAME).get());
          if (podPhase.equals("Failed")) {
            throw new VerifyException(
                "the storage probe pod "
                    + NAMESPACE
                    + "/"
                    + NAME
                    + " could not write to its volume (claim "
                    + claimPhase
                    + ")",
                "check the provisioner's logs and, for NFS, that every node can mount the export"
                    + " (showmount -e SERVER; the export options)",
                "");
          }
          String detail =
              "claim "
                  + claimPhase
                  + (pvc != null && pvc.getSpec().getStorageClassName() != null
                      ? " (class " + pvc.getSpec().getStorageClassName() + ")"
                      : "")
                  + ", pod "
                  + podPhase;
          return new ConditionResult(
              claimPhase.equals("Bound") && podPhase.equals("Succeeded"), detail);
        });
  }

  @Override
  public Map<HasMetadata, String> asAwaitedObjects() {
    Map<HasMetadata, String> out = new LinkedHashMap<>();
    if (reservedVolume != null) {
      out.put(reservedVolumeObject(), "");
    }
    out.put(claim(), "jsonpath={.status.phase}=Bound");
    out.put(pod(), "jsonpath={.status.phase}=Succeeded");
    return out;
  }

  private PersistentVolume reservedVolumeObject() {
    return Serialization.unmarshal(Serialization.asJson(reservedVolume), PersistentVolume.class);
  }

  @Override
  public void finish(KubernetesClient client) {
    client.pods().inNamespace(NAMESPACE).withName(NAME).withGracePeriod(0).delete();
    client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(NAME).delete();
    if (reservedVolume != null) {
      client.persistentVolumes().withName(StorageComponent.PROBE_VOLUME).delete();
    }
  }
}
