package io.kfboot.storage.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.core.KfbootException;
import io.kfboot.storage.testing.S3Proxies;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The upgrade's bucket copy between two real S3 servers (s3proxy), as MinIO to SeaweedFS. */
class BucketCopyTest {
  private static final String BUCKET = "mlpipeline";

  private S3Proxies minio;
  private S3Proxies seaweedfs;
  private final List<String> progress = new ArrayList<>();

  /** What a pipelines install leaves: artifacts under run prefixes, of every size, odd names. */
  private final Map<String, byte[]> artifacts = new LinkedHashMap<>();

  @BeforeEach
  void start() throws Exception {
    minio = S3Proxies.start("minio", "minio123");
    seaweedfs = S3Proxies.start("minio", "minio123");
    Random random = new Random(7);
    artifacts.put("artifacts/run-1/empty.txt", new byte[0]);
    artifacts.put("artifacts/run-1/model.bin", bytes(random, 5 * 1024 * 1024 + 17));
    artifacts.put(
        "artifacts/run 2/metrics ü.json", "{\"accuracy\": 0.97}".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 120; i++) {
      artifacts.put("artifacts/run-3/part-" + i, bytes(random, 1 + random.nextInt(4096)));
    }
    try (S3Client s3 = minio.store.client()) {
      s3.createBucket(b -> b.bucket(BUCKET));
      artifacts.forEach(
          (k, v) -> s3.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromBytes(v)));
    }
  }

  @AfterEach
  void stop() throws Exception {
    minio.close();
    seaweedfs.close();
  }

  private static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private BucketCopy.Result copy() {
    return new BucketCopy(progress::add).copy(minio.store, seaweedfs.store, BUCKET);
  }

  private Map<String, String> md5s(S3Proxies store) throws Exception {
    Map<String, String> out = new LinkedHashMap<>();
    try (S3Client s3 = store.store.client()) {
      for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents()) {
        byte[] body = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(o.key())).asByteArray();
        out.put(o.key(), HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body)));
      }
    }
    return out;
  }

  @Test
  @DisplayName("every object arrives with its size and checksum; the target bucket is made")
  void copiesEverything() throws Exception {
    BucketCopy.Result r = copy();

    assertThat(r.objects()).isEqualTo(artifacts.size());
    assertThat(r.copied()).isEqualTo(artifacts.size());
    assertThat(r.bytes()).isEqualTo(artifacts.values().stream().mapToLong(b -> b.length).sum());
    Map<String, String> expected = new LinkedHashMap<>();
    for (var e : artifacts.entrySet()) {
      expected.put(
          e.getKey(),
          HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(e.getValue())));
    }
    assertThat(md5s(seaweedfs)).isEqualTo(expected);
    assertThat(progress).last().isEqualTo("copied 123/123 objects of bucket mlpipeline");
  }

  @Test
  @DisplayName("a rerun copies nothing twice")
  void rerunCopiesNothing() {
    copy();
    BucketCopy.Result again = copy();
    assertThat(again.copied()).isZero();
    assertThat(again.alreadyThere()).isEqualTo(artifacts.size());
  }

  @Test
  @DisplayName(
      "an interrupted copy (the first objects there, one half-replaced) resumes with the rest and"
          + " puts the changed one right")
  void interruptedCopyResumes() throws Exception {
    List<String> keys = new ArrayList<>(artifacts.keySet());
    try (S3Client s3 = seaweedfs.store.client()) {
      s3.createBucket(b -> b.bucket(BUCKET));
      for (String k : keys.subList(0, 50)) {
        s3.putObject(b -> b.bucket(BUCKET).key(k), RequestBody.fromBytes(artifacts.get(k)));
      }
      // same key and size, other content: an older copy, or another writer
      byte[] other = artifacts.get(keys.get(10)).clone();
      other[0] ^= 1;
      s3.putObject(b -> b.bucket(BUCKET).key(keys.get(10)), RequestBody.fromBytes(other));
    }
    BucketCopy.Result r = copy();
    assertThat(r.alreadyThere()).isEqualTo(49);
    assertThat(r.copied()).isEqualTo(artifacts.size() - 49);
    assertThat(md5s(seaweedfs)).isEqualTo(md5s(minio));
  }

  @Test
  @DisplayName("a missing source bucket and wrong keys are each named, with the fix")
  void refusals() throws Exception {
    assertThatThrownBy(
            () -> new BucketCopy(progress::add).copy(minio.store, seaweedfs.store, "nosuchbucket"))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("bucket nosuchbucket does not exist at http://127.0.0.1:");
    S3Store wrongKeys =
        new S3Store(URI.create(minio.store.endpoint().toString()), "minio", "wrong");
    assertThatThrownBy(() -> new BucketCopy(progress::add).copy(wrongKeys, seaweedfs.store, BUCKET))
        .isInstanceOfSatisfying(
            KfbootException.class,
            e -> {
              assertThat(e.getMessage()).contains("HTTP 403").doesNotContain("wrong");
              assertThat(e.fix()).contains("keys are wrong");
            });
  }
}
