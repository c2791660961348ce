package io.kfboot.storage.objectstore;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.net.URI;

/**
 * An in-cluster S3 store reached from this machine through a port-forward to one of its pods, as
 * {@code kubectl port-forward} does: nothing runs in the cluster, so no image is pulled for it.
 */
public final class ForwardedStore implements StoreAccess.Open {
  private final LocalPortForward forward;
  private final S3Store store;

  private ForwardedStore(LocalPortForward forward, S3Store store) {
    this.forward = forward;
    this.store = store;
  }

  public static ForwardedStore open(
      KubernetesClient client,
      String namespace,
      String pod,
      int port,
      String accessKey,
      String secretKey) {
    LocalPortForward f = client.pods().inNamespace(namespace).withName(pod).portForward(port);
    return new ForwardedStore(
        f, new S3Store(URI.create("http://127.0.0.1:" + f.getLocalPort()), accessKey, secretKey));
  }

  @Override
  public S3Store store() {
    return store;
  }

  @Override
  public void close() {
    try {
      forward.close();
    } catch (IOException e) {
      throw new KfbootException(
          "closing the port-forward to " + store.endpoint() + " failed: " + e.getMessage(),
          "check that the kubeconfig user may create pods/portforward",
          ExitCategory.CLUSTER,
          e);
    }
  }
}
