package io.kfboot.storage.objectstore;

import io.fabric8.kubernetes.client.KubernetesClient;

/** How this machine reaches an in-cluster S3 store: through a port-forward to one of its pods. */
@FunctionalInterface
public interface StoreAccess {
  /** A store reached for a while; closing ends the way to it. */
  interface Open extends AutoCloseable {
    S3Store store();

    @Override
    void close();
  }

  Open open(String namespace, String pod, int port, String accessKey, String secretKey);

  /** Through the Kubernetes API (pods/portforward), as {@code kubectl port-forward}. */
  static StoreAccess portForward(KubernetesClient client) {
    return (namespace, pod, port, accessKey, secretKey) ->
        ForwardedStore.open(client, namespace, pod, port, accessKey, secretKey);
  }
}
