package io.kfboot.verify.testing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimStatusBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The simulated scheduler, kubelet and volume provisioners: what happens to the pods and claims the
 * code under test creates. A pod is scheduled on a node with room for its GPU limits, its claims
 * are bound (dynamic classes provision a volume; {@code kubernetes.io/no-provisioner} classes bind
 * an Available volume of the class that is big enough), and it runs: pods that do not restart
 * Succeed, with the log the test registered. What cannot happen leaves the pod or claim Pending
 * with the event a real cluster writes. One controller acts at a time, as one binder does.
 */
final class PodsAndVolumes {
  static final String GPU = "nvidia.com/gpu";
  static final String NO_PROVISIONER = "kubernetes.io/no-provisioner";
  private static final String DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class";

  private final KubernetesClient client;
  private final Map<String, String> logs = new ConcurrentHashMap<>(); // ns/name -> log
  private final Set<String> provisionersDown = ConcurrentHashMap.newKeySet();
  private final Map<String, String> failing = new ConcurrentHashMap<>(); // ns/name -> exit log

  PodsAndVolumes(KubernetesClient controllerClient) {
    this.client = controllerClient;
  }

  void log(String ns, String name, String log) {
    logs.put(ns + "/" + name, log);
  }

  String log(String ns, String name) {
    return logs.getOrDefault(ns + "/" + name, "");
  }

  void fail(String ns, String name, String log) {
    failing.put(ns + "/" + name, log);
    logs.put(ns + "/" + name, log);
  }

  void provisionerDown(String provisioner) {
    provisionersDown.add(provisioner);
  }

  void addNode(String name, Map<String, String> labels, Map<String, String> allocatable) {
    Map<String, Quantity> alloc = new HashMap<>();
    allocatable.forEach((k, v) -> alloc.put(k, new Quantity(v)));
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .endMetadata()
            .withNewStatus()
            .withAllocatable(alloc)
            .withCapacity(alloc)
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .withReason("KubeletReady")
            .endCondition()
            .endStatus()
            .build();
    client.nodes().resource(node).createOr(NonDeletingOperation::update);
  }

  /** A claim was written: classes that bind at once do so now. */
  synchronized void claimWritten(String ns, String name) {
    PersistentVolumeClaim pvc =
        client.persistentVolumeClaims().inNamespace(ns).withName(name).get();
    if (pvc == null || "Bound".equals(phase(pvc))) {
      return;
    }
    StorageClass sc = classOf(pvc);
    if (sc != null && !"WaitForFirstConsumer".equals(sc.getVolumeBindingMode())) {
      bind(pvc, sc, null);
    } else if (sc == null) {
      event(
          ns,
          "PersistentVolumeClaim",
          name,
          "FailedBinding",
          "no persistent volumes available for this claim and no storage class is set");
    }
  }

  /** A pod was written: schedule it, bind its claims, run it. */
  synchronized void podWritten(String ns, String name) {
    Pod pod = client.pods().inNamespace(ns).withName(name).get();
    if (pod == null || pod.getStatus() != null && pod.getStatus().getPhase() != null) {
      return;
    }
    long gpus = gpuLimit(pod);
    String node = pickNode(gpus, pod);
    if (node == null) {
      List<Node> nodes = client.nodes().list().getItems();
      unschedulable(
          pod,
          "0/"
              + nodes.size()
              + " nodes are available: "
              + nodes.size()
              + " Insufficient "
              + GPU
              + ".");
      return;
    }
    for (Volume v :
        pod.getSpec().getVolumes() == null ? List.<Volume>of() : pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() == null) {
        continue;
      }
      String claim = v.getPersistentVolumeClaim().getClaimName();
      PersistentVolumeClaim pvc =
          client.persistentVolumeClaims().inNamespace(ns).withName(claim).get();
      if (pvc == null) {
        unschedulable(pod, "persistentvolumeclaim \"" + claim + "\" not found");
        return;
      }
      if (!"Bound".equals(phase(pvc)) && !bind(pvc, classOf(pvc), node)) {
        unschedulable(
            pod, "0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims.");
        return;
      }
    }
    pod.getSpec().setNodeName(node);
    Pod scheduled = client.pods().resource(pod).update();
    boolean runsOnce =
        "Never".equals(pod.getSpec().getRestartPolicy())
            || "OnFailure".equals(pod.getSpec().getRestartPolicy());
    String key = ns + "/" + name;
    String phase = failing.containsKey(key) ? "Failed" : runsOnce ? "Succeeded" : "Running";
    scheduled.setStatus(
        new PodStatusBuilder()
            .withPhase(phase)
            .withConditions(
                new PodConditionBuilder().withType("PodScheduled").withStatus("True").build(),
                new PodConditionBuilder()
                    .withType("Ready")
                    .withStatus(phase.equals("Running") ? "True" : "False")
                    .build())
            .build());
    client.pods().resource(scheduled).updateStatus();
  }

  private String pickNode(long gpus, Pod pod) {
    Map<String, String> selector =
        pod.getSpec().getNodeSelector() == null ? Map.of() : pod.getSpec().getNodeSelector();
    List<Node> nodes = client.nodes().list().getItems();
    if (nodes.isEmpty() && gpus == 0) {
      return "node-1"; // a cluster whose test did not model nodes
    }
    Map<String, Long> used = new HashMap<>();
    for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
      String phase = p.getStatus() == null ? null : p.getStatus().getPhase();
      if (p.getSpec().getNodeName() != null
          && !"Succeeded".equals(phase)
          && !"Failed".equals(phase)) {
        used.merge(p.getSpec().getNodeName(), gpuLimit(p), Long::sum);
      }
    }
    for (Node n : nodes) {
      Map<String, String> labels =
          n.getMetadata().getLabels() == null ? Map.of() : n.getMetadata().getLabels();
      if (!labels.entrySet().containsAll(selector.entrySet())) {
        continue;
      }
      Quantity q =
          n.getStatus() == null || n.getStatus().getAllocatable() == null
              ? null
              : n.getStatus().getAllocatable().get(GPU);
      long free =
          (q == null ? 0 : Long.parseLong(q.getAmount()))
              - used.getOrDefault(n.getMetadata().getName(), 0L);
      if (gpus == 0 || free >= gpus) {
        return n.getMetadata().getName();
      }
    }
    return null;
  }

  static long gpuLimit(Pod p) {
    long sum = 0;
    for (Container c : p.getSpec().getContainers()) {
      if (c.getResources() != null
          && c.getResources().getLimits() != null
          && c.getResources().getLimits().get(GPU) != null) {
        sum += Long.parseLong(c.getResources().getLimits().get(GPU).getAmount());
      }
    }
    return sum;
  }

  private boolean bind(PersistentVolumeClaim pvc, StorageClass sc, String node) {
    String ns = pvc.getMetadata().getNamespace();
    String name = pvc.getMetadata().getName();
    if (sc == null) {
      return false;
    }
    String volume;
    if (NO_PROVISIONER.equals(sc.getProvisioner())) {
      PersistentVolume pv = availableVolume(sc.getMetadata().getName(), pvc);
      if (pv == null) {
        event(
            ns,
            "PersistentVolumeClaim",
            name,
            "FailedBinding",
            "no persistent volumes available for this claim and no storage class is set");
        return false;
      }
      volume = pv.getMetadata().getName();
      pv.getSpec()
          .setClaimRef(
              new ObjectReferenceBuilder()
                  .withKind("PersistentVolumeClaim")
                  .withNamespace(ns)
                  .withName(name)
                  .build());
      PersistentVolume updated = client.persistentVolumes().resource(pv).update();
      updated.setStatus(new PersistentVolumeStatusBuilder().withPhase("Bound").build());
      client.persistentVolumes().resource(updated).updateStatus();
    } else if (provisionersDown.contains(sc.getProvisioner())) {
      event(
          ns,
          "PersistentVolumeClaim",
          name,
          "ExternalProvisioning",
          "Waiting for a volume to be created either by the external provisioner '"
              + sc.getProvisioner()
              + "' or manually by the system administrator.");
      return false;
    } else {
      volume = "pvc-" + pvc.getMetadata().getUid();
      client
          .persistentVolumes()
          .resource(
              new PersistentVolumeBuilder()
                  .withNewMetadata()
                  .withName(volume)
                  .endMetadata()
                  .withNewSpec()
                  .withStorageClassName(sc.getMetadata().getName())
                  .withCapacity(pvc.getSpec().getResources().getRequests())
                  .withAccessModes(pvc.getSpec().getAccessModes())
                  .withClaimRef(
                      new ObjectReferenceBuilder()
                          .withKind("PersistentVolumeClaim")
                          .withNamespace(ns)
                          .withName(name)
                          .build())
                  .endSpec()
                  .build())
          .createOr(NonDeletingOperation::update);
    }
    pvc.getSpec().setVolumeName(volume);
    if (pvc.getSpec().getStorageClassName() == null) {
      pvc.getSpec().setStorageClassName(sc.getMetadata().getName());
    }
    PersistentVolumeClaim updated = client.persistentVolumeClaims().resource(pvc).update();
    updated.setStatus(
        new PersistentVolumeClaimStatusBuilder()
            .withPhase("Bound")
            .withCapacity(pvc.getSpec().getResources().getRequests())
            .build());
    client.persistentVolumeClaims().resource(updated).updateStatus();
    return true;
  }

  /**
   * As the binder chooses: a volume reserved for this claim (claimRef set ahead) first, else the
   * smallest free volume of the class that is big enough.
   */
  private PersistentVolume availableVolume(String className, PersistentVolumeClaim pvc) {
    Quantity wanted = pvc.getSpec().getResources().getRequests().get("storage");
    PersistentVolume best = null;
    for (PersistentVolume pv : client.persistentVolumes().list().getItems()) {
      Quantity size =
          pv.getSpec().getCapacity() == null ? null : pv.getSpec().getCapacity().get("storage");
      var ref = pv.getSpec().getClaimRef();
      if (!className.equals(pv.getSpec().getStorageClassName()) || size == null) {
        continue;
      }
      if (ref != null) {
        if (pvc.getMetadata().getNamespace().equals(ref.getNamespace())
            && pvc.getMetadata().getName().equals(ref.getName())) {
          return pv;
        }
        continue;
      }
      if (Quantity.getAmountInBytes(size).compareTo(Quantity.getAmountInBytes(wanted)) >= 0
          && (best == null
              || Quantity.getAmountInBytes(size)
                      .compareTo(
                          Quantity.getAmountInBytes(best.getSpec().getCapacity().get("storage")))
                  < 0)) {
        best = pv;
      }
    }
    return best;
  }

  private StorageClass classOf(PersistentVolumeClaim pvc) {
    String name = pvc.getSpec().getStorageClassName();
    List<StorageClass> classes = client.storage().v1().storageClasses().list().getItems();
    if (name != null) {
      return classes.stream()
          .filter(c -> c.getMetadata().getName().equals(name))
          .findFirst()
          .orElse(null);
    }
    // The API server's DefaultStorageClass admission: with several defaults, the newest wins.
    List<StorageClass> defaults =
        new ArrayList<>(
            classes.stream()
                .filter(
                    c ->
                        c.getMetadata().getAnnotations() != null
                            && "true".equals(c.getMetadata().getAnnotations().get(DEFAULT_CLASS)))
                .toList());
    return defaults.isEmpty() ? null : defaults.get(defaults.size() - 1);
  }

  private void unschedulable(Pod pod, String message) {
    pod.setStatus(
        new PodStatusBuilder()
            .withPhase("Pending")
            .withConditions(
                new PodConditionBuilder()
                    .withType("PodScheduled")
                    .withStatus("False")
                    .withReason("Unschedulable")
                    .withMessage(message)
                    .build())
            .build());
    client.pods().resource(pod).updateStatus();
    event(
        pod.getMetadata().getNamespace(),
        "Pod",
        pod.getMetadata().getName(),
        "FailedScheduling",
        message);
  }

  private void event(String ns, String kind, String name, String reason, String message) {
    client
        .v1()
        .events()
        .inNamespace(ns)
        .resource(
            new EventBuilder()
                .withNewMetadata()
                .withName(name + "." + reason.toLowerCase())
                .withNamespace(ns)
                .endMetadata()
                .withType("Warning")
                .withReason(reason)
                .withMessage(message)
                .withLastTimestamp("2026-11-23T12:00:00Z")
                .withInvolvedObject(
                    new ObjectReferenceBuilder()
                        .withKind(kind)
                        .withName(name)
                        .withNamespace(ns)
                        .build())
                .build())
        .createOr(NonDeletingOperation::update);
  }

  private static String phase(PersistentVolumeClaim pvc) {
    return pvc.getStatus() == null ? null : pvc.getStatus().getPhase();
  }
}
