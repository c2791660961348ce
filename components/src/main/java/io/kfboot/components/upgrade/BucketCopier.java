package io.kfboot.components.upgrade;

import io.kfboot.core.ExitCategory;

/**
 * Copies a bucket between two S3 stores of the cluster (an upgrade's MinIO to SeaweedFS): every
 * object, its size and checksum compared, nothing copied twice on a rerun.
 */
@FunctionalInterface
public interface BucketCopier {
  /**
   * One copy: the bucket, both stores' pods and ports in one namespace, and the keys both accept.
   */
  record Job(
      String bucket,
      String namespace,
      String fromPod,
      int fromPort,
      String toPod,
      int toPort,
      String accessKey,
      String secretKey) {
    /** Never the secret key. */
    @Override
    public String toString() {
      return "bucket "
          + bucket
          + " from pod "
          + namespace
          + "/"
          + fromPod
          + ":"
          + fromPort
          + " to pod "
          + namespace
          + "/"
          + toPod
          + ":"
          + toPort
          + " (access key "
          + accessKey
          + ")";
    }
  }

  /**
   * @param objects in the source bucket
   * @param copied sent this run (the others were there already, same size and checksum)
   */
  record Report(int objects, long bytes, int copied) {}

  Report copy(Job job);

  /** For clusters whose upgrades copy no bucket: refuses, naming what is missing. */
  BucketCopier NONE =
      job -> {
        throw new UpgradeException(
            "this upgrade copies " + job + ", and no bucket copier was given",
            "run it through 'kfboot upgrade', which copies through port-forwards",
            ExitCategory.INTERNAL);
      };
}
