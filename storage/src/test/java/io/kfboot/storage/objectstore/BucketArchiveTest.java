package io.kfboot.storage.objectstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.core.KfbootException;
import io.kfboot.storage.testing.S3Proxies;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** A bucket saved into a backup folder and put back, against a real S3 server (s3proxy). */
class BucketArchiveTest {
  private static final String BUCKET = "mlpipeline";
  @TempDir Path dir;
  private S3Proxies minio;
  private final List<String> progress = new ArrayList<>();
  private final Map<String, byte[]> artifacts = new LinkedHashMap<>();

  @BeforeEach
  void start() throws Exception {
    minio = S3Proxies.start("minio", "minio123");
    Random random = new Random(11);
    artifacts.put("artifacts/run-1/model.bin", bytes(random, 3 * 1024 * 1024 + 5));
    artifacts.put("artifacts/../odd/ü name.json", "{}".getBytes(StandardCharsets.UTF_8));
    artifacts.put("artifacts/run-2/empty", new byte[0]);
    for (int i = 0; i < 30; i++) {
      artifacts.put("artifacts/run-3/part-" + i, bytes(random, 1 + random.nextInt(2048)));
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
  }

  private static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private BucketArchive archive() {
    return new BucketArchive(progress::add);
  }

  @Test
  @DisplayName(
      "the listing names every key with its size; objects saved are 0600 files inside the folder"
          + " whatever their keys hold, and a second save fetches none")
  void savesListingAndObjectsAndResumes() throws Exception {
    BucketArchive.Saved saved = archive().save(minio.store, BUCKET, dir, true);

    assertThat(saved.fetched()).isEqualTo(artifacts.size());
    BucketArchive.Listing listing = BucketArchive.read(dir, BUCKET);
    assertThat(listing.copied()).isTrue();
    Map<String, Long> sizes = new LinkedHashMap<>();
    listing.objects().forEach(e -> sizes.put(e.key(), e.size()));
    artifacts.forEach((k, v) -> assertThat(sizes).containsEntry(k, (long) v.length));
    for (BucketArchive.Entry e : listing.objects()) {
      Path f = dir.resolve(e.file());
      assertThat(f.normalize()).startsWith(dir);
      assertThat(Files.readAllBytes(f)).isEqualTo(artifacts.get(e.key()));
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f)))
          .isEqualTo("rw-------");
    }
    assertThat(BucketArchive.listingFile(dir, BUCKET)).exists();

    // a cut-off object file from an interrupted save is fetched again, the rest are not
    BucketArchive.Entry big =
        listing.objects().stream()
            .filter(e -> e.key().equals("artifacts/run-1/model.bin"))
            .findFirst()
            .orElseThrow();
    Files.write(dir.resolve(big.file()), new byte[100]);
    assertThat(archive().save(minio.store, BUCKET, dir, true).fetched()).isEqualTo(1);
    assertThat(Files.readAllBytes(dir.resolve(big.file())))
        .isEqualTo(artifacts.get("artifacts/run-1/model.bin"));
    assertThat(archive().save(minio.store, BUCKET, dir, true).fetched()).isZero();
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files).noneMatch(p -> p.toString().endsWith(".partial"));
    }
  }

  @Test
  @DisplayName(
      "restore puts back only what the store lost or holds changed, byte for byte; a rerun puts"
          + " nothing; a listing without objects cannot restore")
  void restoresWhatIsMissing() throws Exception {
    archive().save(minio.store, BUCKET, dir, true);
    try (S3Client s3 = minio.store.client()) {
      s3.deleteObject(b -> b.bucket(BUCKET).key("artifacts/run-3/part-4"));
      s3.putObject(
          b -> b.bucket(BUCKET).key("artifacts/run-1/model.bin"),
          RequestBody.fromBytes("overwritten".getBytes(StandardCharsets.UTF_8)));
    }

    assertThat(archive().restore(dir, BUCKET, minio.store)).isEqualTo(2);

    try (S3Client s3 = minio.store.client()) {
      for (Map.Entry<String, byte[]> a : artifacts.entrySet()) {
        assertThat(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(a.getKey())).asByteArray())
            .as(a.getKey())
            .isEqualTo(a.getValue());
      }
    }
    assertThat(archive().restore(dir, BUCKET, minio.store)).isZero();

    Path listingOnly = dir.resolve("listing-only");
    BucketArchive.Saved s = archive().save(minio.store, BUCKET, listingOnly, false);
    assertThat(s.fetched()).isZero();
    assertThat(s.listing().objects()).hasSize(artifacts.size());
    try (Stream<Path> files = Files.list(listingOnly)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactly("bucket-mlpipeline.json");
    }
    assertThatThrownBy(() -> archive().restore(listingOnly, BUCKET, minio.store))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("only the listing")
        .satisfies(e -> assertThat(((KfbootException) e).fix()).contains("--with-objects"));
  }
}
