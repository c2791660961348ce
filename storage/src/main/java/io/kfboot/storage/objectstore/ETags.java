package io.kfboot.storage.objectstore;

import java.io.InputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * S3 ETags as checksums: for an object put in one part the ETag is its quoted MD5; a multipart ETag
 * ("...-N") is not, and is compared as a tag only.
 */
final class ETags {
  private ETags() {}

  static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no MD5", e);
    }
  }

  /** The ETag an object with this MD5 has when put in one part. */
  static String of(MessageDigest md5) {
    return "\"" + HexFormat.of().formatHex(md5.digest()) + "\"";
  }

  /**
   * What one put sent and what the store answered.
   *
   * @param sent the quoted MD5 of the bytes sent
   * @param stored the ETag the store gave the object
   */
  record Put(String sent, String stored) {
    /** Whether the store holds what was sent, and what was sent is {@code expected} where known. */
    boolean arrivedAs(String expected) {
      return (!isMd5(expected) || sent.equals(expected)) && sent.equals(stored);
    }
  }

  /** Puts {@code content} as the object, its MD5 computed as it streams. */
  static Put put(S3Client s3, String bucket, String key, long size, InputStream content) {
    MessageDigest md5 = md5();
    PutObjectResponse r =
        s3.putObject(
            b -> b.bucket(bucket).key(key).contentLength(size),
            RequestBody.fromInputStream(new DigestInputStream(content, md5), size));
    return new Put(of(md5), r.eTag());
  }

  /** Whether the ETag is an object's MD5 (not a multipart upload's). */
  static boolean isMd5(String etag) {
    return etag != null && !etag.contains("-");
  }
}
