package io.kfboot.storage.objectstore;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.kfboot.components.upgrade.BucketCopier;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.net.URI;
import java.util.function.Consumer;

/**
 * The upgrade's bucket copy from the machine that runs kfboot: a port-forward to a pod of each
 * store (as {@code kubectl port-forward} does), then {@link BucketCopy} between the two. Nothing
 * runs in the cluster, so no image has to be pulled for it.
 */
public final class PortForwardedBucketCopier implements BucketCopier {
  private final KubernetesClient client;
  private final Consumer<String> progress;

  public PortForwardedBucketCopier(KubernetesClient client, Consumer<String> progress) {
    this.client = client;
    this.progress = progress;
  }

  @Override
  public Report copy(Job job) {
    try (LocalPortForward from = forward(job.namespace(), job.fromPod(), job.fromPort());
        LocalPortForward to = forward(job.namespace(), job.toPod(), job.toPort())) {
      BucketCopy.Result r =
          new BucketCopy(progress)
              .copy(
                  new S3Store(local(from), job.accessKey(), job.secretKey()),
                  new S3Store(local(to), job.accessKey(), job.secretKey()),
                  job.bucket());
      return new Report(r.objects(), r.bytes(), r.copied());
    } catch (IOException e) {
      throw new KfbootException(
          "the port-forward for " + job + " failed: " + e.getMessage(),
          "check that the kubeconfig user may create pods/portforward; then rerun the upgrade",
          ExitCategory.CLUSTER,
          e);
    }
  }

  private LocalPortForward forward(String namespace, String pod, int port) {
    return client.pods().inNamespace(namespace).withName(pod).portForward(port);
  }

  private static URI local(LocalPortForward f) {
    return URI.create("http://127.0.0.1:" + f.getLocalPort());
  }
}
