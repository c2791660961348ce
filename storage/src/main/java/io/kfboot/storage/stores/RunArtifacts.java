package io.kfboot.storage.stores;

import io.kfboot.storage.objectstore.S3Store;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A pipeline run's objects in a bucket. The KFP launcher stores a task's output artifacts under
 * {@code PIPELINE_ROOT/PIPELINE_NAME/RUN_ID/...}, and the root's prefix differs per release and per
 * namespace, so a run is found by its id in the key, over the whole bucket.
 */
public final class RunArtifacts {
  private RunArtifacts() {}

  /** The keys of the bucket that hold {@code runId}, listed page by page. */
  public static List<String> keys(S3Store store, String bucket, String runId) {
    List<String> found = new ArrayList<>();
    try (S3Client c = store.client()) {
      ListObjectsV2Request request = ListObjectsV2Request.builder().bucket(bucket).build();
      for (S3Object o : c.listObjectsV2Paginator(request).contents()) {
        if (o.key().contains(runId)) {
          found.add(o.key());
        }
      }
    }
    return found;
  }
}
