package io.kfboot.verify.wait;

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
      w.informers.add(client.apiextensions().v1().customResourceDefinitions().inform(w.handler()));
      w.informers.add(client.apps().deployments().inAnyNamespace().inform(w.handler()));
      w.informers.add(client.apps().statefulSets().inAnyNamespace().inform(w.handler()));
      w.informers.add(client.apps().daemonSets().inAnyNamespace().inform(w.handler()));
      w.informers.add(client.endpoints().inAnyNamespace().inform(w.handler()));
      w.informers.add(client.namespaces().inform(w.handler()));
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

  private <T> ResourceEventHandler<T> handler() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        signal.signal();
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        signal.signal();
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        signal.signal();
      }
    };
  }

  @Override
  public void close() {
    informers.forEach(SharedIndexInformer::close);
    informers.clear();
  }
}
