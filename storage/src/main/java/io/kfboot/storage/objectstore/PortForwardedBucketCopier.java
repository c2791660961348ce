package io.kfboot.storage.objectstore;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.upgrade.BucketCopier;
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
    try (ForwardedStore from =
            ForwardedStore.open(
                client,
                job.namespace(),
                job.fromPod(),
                job.fromPort(),
                job.accessKey(),
                job.secretKey());
        ForwardedStore to =
            ForwardedStore.open(
                client,
                job.namespace(),
                job.toPod(),
                job.toPort(),
                job.accessKey(),
                job.secretKey())) {
      BucketCopy.Result r = new BucketCopy(progress).copy(from.store(), to.store(), job.bucket());
      return new Report(r.objects(), r.bytes(), r.copied());
    }
  }
}
