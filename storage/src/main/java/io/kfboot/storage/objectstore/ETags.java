package io.kfboot.storage.objectstore;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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

  /** Whether the ETag is an object's MD5 (not a multipart upload's). */
  static boolean isMd5(String etag) {
    return etag != null && !etag.contains("-");
  }
}
