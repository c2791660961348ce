package io.kfboot.verify.wait;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Watches (fabric8 informers) on what kfboot's gates read: CRDs, Deployments, StatefulSets,
 * DaemonSets, Endpoints and Namespaces, in every namespace. Each event bumps a {@link
 * ChangeSignal}, so that a waiter looks again at once instead of at its next poll.
 */
public final class ClusterWatch implements AutoCloseable {
  private final ChangeSignal signal = new ChangeSignal();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

  private ClusterWatch() {}

  /**
   * Starts the watches; if the cluster refuses them (RBAC), the waits fall back to polling and
   * {@code warn} is told why.
   */
  public static ClusterWatch start(KubernetesClient client, Consumer<String> warn) {
    ClusterWatch w = new ClusterWatch();
    try {
      w.informers.add(
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .inform(w.handler("CustomResourceDefinition")));
      w.informers.add(client.apps().deployments().inAnyNamespace().inform(w.handler("Deployment")));
      w.informers.add(
          client.apps().statefulSets().inAnyNamespace().inform(w.handler("StatefulSet")));
      w.informers.add(client.apps().daemonSets().inAnyNamespace().inform(w.handler("DaemonSet")));
      w.informers.add(client.endpoints().inAnyNamespace().inform(w.handler("Endpoints")));
      w.informers.add(client.namespaces().inform(w.handler("Namespace")));
    } catch (RuntimeException e) {
      warn.accept("cannot watch the cluster (" + e.getMessage() + "); waits poll instead");
      w.close();
      return null;
    }
    return w;
  }

  public ChangeSignal signal() {
    return signal;
  }

  /** "Kind ns/name", or "Kind name" for cluster-scoped objects: the key conditions wait on. */
  public static String key(String kind, String namespace, String name) {
    return kind + " " + (namespace == null || namespace.isEmpty() ? "" : namespace + "/") + name;
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(String kind) {
    return new ResourceEventHandler<>() {
      private void changed(T obj) {
        signal.signal(key(kind, obj.getMetadata().getNamespace(), obj.getMetadata().getName()));
      }

      @Override
      public void onAdd(T obj) {
        changed(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        changed(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        changed(obj);
      }
    };
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
  }
}
