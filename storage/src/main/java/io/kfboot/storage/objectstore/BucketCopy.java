package io.kfboot.storage.objectstore;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Copies every object of a bucket from one S3 store to another, as an upgrade moves Pipelines'
 * artifacts from MinIO to SeaweedFS (upstream leaves that to "S3 commands"). Objects already at the
 * target with the same size and checksum are not copied again, so a rerun after an interruption
 * copies only what is missing; each copied object's MD5, computed while it streams, must equal the
 * source's ETag (where that is a plain MD5) and the target's. At the end both listings are
 * compared: same keys, same sizes.
 */
public final class BucketCopy {
  /** What one copy found and did. */
  public record Result(int objects, long bytes, int copied, int alreadyThere) {}

  private final Consumer<String> progress;

  /**
   * @param progress told "copied 12/40 objects" as the copy goes
   */
  public BucketCopy(Consumer<String> progress) {
    this.progress = progress;
  }

  public Result copy(S3Store from, S3Store to, String bucket) {
    return copy(from, bucket, to, bucket);
  }

  /**
   * Copies into a bucket of another name (a switch to an external store names its own), keys
   * unchanged; the target bucket is made where missing.
   */
  public Result copy(S3Store from, String bucket, S3Store to, String toBucket) {
    try (S3Client source = from.client();
        S3Client target = to.client()) {
      Map<String, S3Object> wanted = list(source, bucket, from);
      ensureBucket(target, toBucket, to);
      Map<String, S3Object> there = list(target, toBucket, to);
      int copied = 0;
      int skipped = 0;
      long bytes = 0;
      int done = 0;
      for (S3Object o : wanted.values()) {
        bytes += o.size();
        S3Object t = there.get(o.key());
        if (t != null && t.size().equals(o.size()) && sameContent(o.eTag(), t.eTag())) {
          skipped++;
        } else {
          copyOne(source, bucket, target, toBucket, o);
          copied++;
        }
        done++;
        if (done % 100 == 0 || done == wanted.size()) {
          progress.accept("copied " + done + "/" + wanted.size() + " objects of bucket " + bucket);
        }
      }
      Map<String, S3Object> after = list(target, toBucket, to);
      for (S3Object o : wanted.values()) {
        S3Object t = after.get(o.key());
        if (t == null || !t.size().equals(o.size())) {
          throw new KfbootException(
              "after the copy, "
                  + toBucket
                  + "/"
                  + o.key()
                  + " is "
                  + (t == null ? "missing" : t.size() + " bytes, not " + o.size())
                  + " at "
                  + to.endpoint(),
              "rerun the upgrade: the copy resumes and copies what is missing",
              ExitCategory.UNEXPECTED_STATE);
        }
      }
      return new Result(wanted.size(), bytes, copied, skipped);
    }
  }

  private static boolean sameContent(String sourceTag, String targetTag) {
    return sourceTag != null && sourceTag.equals(targetTag);
  }

  private static void copyOne(
      S3Client source, String bucket, S3Client target, String toBucket, S3Object o) {
    ETags.Put put;
    try (ResponseInputStream<GetObjectResponse> in =
        source.getObject(b -> b.bucket(bucket).key(o.key()))) {
      put = ETags.put(target, toBucket, o.key(), o.size(), in);
    } catch (IOException e) {
      throw new KfbootException(
          "copying " + bucket + "/" + o.key() + " failed: " + e.getMessage(),
          "rerun the upgrade: the copy resumes",
          ExitCategory.NETWORK,
          e);
    }
    if (!put.arrivedAs(o.eTag())) {
      throw new KfbootException(
          bucket
              + "/"
              + o.key()
              + " arrived changed: MD5 "
              + put.sent()
              + ", source ETag "
              + o.eTag()
              + ", target ETag "
              + put.stored(),
          "rerun the upgrade: the object is copied again",
          ExitCategory.INTEGRITY);
    }
  }

  private static Map<String, S3Object> list(S3Client s3, String bucket, S3Store store) {
    Map<String, S3Object> out = new LinkedHashMap<>();
    try {
      s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().forEach(o -> out.put(o.key(), o));
    } catch (NoSuchBucketException e) {
      throw new KfbootException(
          "bucket " + bucket + " does not exist at " + store,
          "check the store's address and keys; the bucket is made by the release's install",
          ExitCategory.UNEXPECTED_STATE,
          e);
    } catch (S3Exception e) {
      throw refused(store, bucket, e);
    }
    return out;
  }

  private static void ensureBucket(S3Client s3, String bucket, S3Store store) {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (NoSuchBucketException e) {
      s3.createBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        s3.createBucket(b -> b.bucket(bucket));
      } else {
        throw refused(store, bucket, e);
      }
    }
  }

  private static KfbootException refused(S3Store store, String bucket, S3Exception e) {
    String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
    return new KfbootException(
        store + " refused bucket " + bucket + ": HTTP " + e.statusCode() + " " + code,
        e.statusCode() == 403
            ? "the keys are wrong for this store: check the Secret the upgrade reads them from"
            : "check that the store runs and answers S3 at that address",
        ExitCategory.UNEXPECTED_STATE,
        e);
  }
}
