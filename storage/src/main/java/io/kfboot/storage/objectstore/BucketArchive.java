package io.kfboot.storage.objectstore;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kfboot.bootstrap.host.PrivateFiles;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A bucket in a backup folder: always its listing ({@code bucket-NAME.json}: every key, size and
 * ETag, so that what an upgrade or restore left can be compared), and, where asked, a copy of every
 * object under {@code bucket-NAME/}, named by the SHA-256 of its key (keys may hold "/", ".." or
 * anything else a file name must not). Saving again skips objects already copied whole; restoring
 * puts back only what the store lacks or holds otherwise.
 */
public final class BucketArchive {
  /** One object as listed. */
  public record Entry(String key, long size, String etag, String file) {}

  /** A bucket's listing as saved; {@code copied} when the objects are in the folder too. */
  public record Listing(String bucket, boolean copied, List<Entry> objects) {
    public Listing {
      objects = List.copyOf(objects);
    }

    public long bytes() {
      return objects.stream().mapToLong(Entry::size).sum();
    }
  }

  /** What one save did: the listing, and how many objects it fetched (not already saved whole). */
  public record Saved(Listing listing, int fetched) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Consumer<String> progress;

  public BucketArchive(Consumer<String> progress) {
    this.progress = progress;
  }

  public static Path listingFile(Path dir, String bucket) {
    return dir.resolve("bucket-" + bucket + ".json");
  }

  /** Lists the bucket into {@code dir} and, when {@code objects}, copies every object there. */
  public Saved save(S3Store store, String bucket, Path dir, boolean objects) {
    try (S3Client s3 = store.client()) {
      List<Entry> entries = new ArrayList<>();
      for (S3Object o : list(s3, bucket, store)) {
        entries.add(
            new Entry(o.key(), o.size(), o.eTag(), objects ? objectFile(bucket, o.key()) : null));
      }
      int fetched = 0;
      if (objects) {
        int done = 0;
        for (Entry e : entries) {
          Path file = dir.resolve(e.file());
          if (!alreadySaved(file, e)) {
            download(s3, bucket, e, file);
            fetched++;
          }
          done++;
          if (done % 100 == 0 || done == entries.size()) {
            progress.accept(
                "saved " + done + "/" + entries.size() + " objects of bucket " + bucket);
          }
        }
      }
      Listing listing = new Listing(bucket, objects, entries);
      try {
        PrivateFiles.write(listingFile(dir, bucket), out -> JSON.writeValue(out, listing));
      } catch (IOException e) {
        throw unwritable(dir, e);
      }
      return new Saved(listing, fetched);
    }
  }

  /** The listing saved in {@code dir}. */
  public static Listing read(Path dir, String bucket) {
    Path f = listingFile(dir, bucket);
    try {
      return JSON.readValue(f.toFile(), Listing.class);
    } catch (IOException e) {
      throw new KfbootException(
          "cannot read the bucket listing " + f + ": " + e.getMessage(),
          "give a backup folder made by 'kfboot backup'",
          ExitCategory.INVALID_INPUT,
          e);
    }
  }

  /**
   * Puts the saved objects back into the store's bucket (made when missing): each object the store
   * lacks, or holds with another size or checksum; the rest are left alone.
   *
   * @return how many objects were put
   */
  public int restore(Path dir, String bucket, S3Store store) {
    Listing listing = read(dir, bucket);
    if (!listing.copied()) {
      throw new KfbootException(
          "the backup holds only the listing of bucket " + bucket + ", not its objects",
          "take backups with --with-objects to restore a bucket from them",
          ExitCategory.INVALID_INPUT);
    }
    try (S3Client s3 = store.client()) {
      ensureBucket(s3, bucket, store);
      Map<String, S3Object> there = new LinkedHashMap<>();
      list(s3, bucket, store).forEach(o -> there.put(o.key(), o));
      int put = 0;
      for (Entry e : listing.objects()) {
        S3Object t = there.get(e.key());
        if (t != null && t.size() == e.size() && e.etag() != null && e.etag().equals(t.eTag())) {
          continue;
        }
        upload(s3, bucket, e, dir.resolve(e.file()));
        put++;
      }
      progress.accept("put back " + put + " of " + listing.objects().size() + " objects");
      return put;
    }
  }

  private static String objectFile(String bucket, String key) {
    return "bucket-" + bucket + "/" + HexFormat.of().formatHex(sha256(key));
  }

  /** Whole and the same: its size, and its MD5 where the ETag is a plain MD5 (not multipart). */
  private static boolean alreadySaved(Path file, Entry e) {
    try {
      if (!Files.isRegularFile(file) || Files.size(file) != e.size()) {
        return false;
      }
      if (!ETags.isMd5(e.etag())) {
        return true;
      }
      MessageDigest md5 = ETags.md5();
      try (InputStream in = new DigestInputStream(Files.newInputStream(file), md5)) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      return ETags.of(md5).equals(e.etag());
    } catch (IOException x) {
      return false;
    }
  }

  private static void download(S3Client s3, String bucket, Entry e, Path file) {
    MessageDigest md5 = ETags.md5();
    try {
      PrivateFiles.write(
          file,
          out -> {
            try (ResponseInputStream<GetObjectResponse> in =
                    s3.getObject(b -> b.bucket(bucket).key(e.key()));
                InputStream digesting = new DigestInputStream(in, md5)) {
              digesting.transferTo(out);
            }
            String got = ETags.of(md5);
            if (ETags.isMd5(e.etag()) && !got.equals(e.etag())) {
              throw new IOException(
                  bucket + "/" + e.key() + " arrived with MD5 " + got + ", ETag " + e.etag());
            }
          });
    } catch (IOException x) {
      throw new KfbootException(
          "saving " + bucket + "/" + e.key() + " failed: " + x.getMessage(),
          "rerun the backup: objects saved whole are not fetched again",
          ExitCategory.NETWORK,
          x);
    }
  }

  private static void upload(S3Client s3, String bucket, Entry e, Path file) {
    ETags.Put put;
    try (InputStream in = Files.newInputStream(file)) {
      put = ETags.put(s3, bucket, e.key(), e.size(), in);
    } catch (IOException x) {
      throw new KfbootException(
          "cannot read the saved object " + file + " (" + e.key() + "): " + x.getMessage(),
          "give the whole backup folder as 'kfboot backup --with-objects' wrote it",
          ExitCategory.INVALID_INPUT,
          x);
    }
    if (!put.arrivedAs(e.etag())) {
      throw new KfbootException(
          bucket
              + "/"
              + e.key()
              + " was put back changed: MD5 "
              + put.sent()
              + ", saved ETag "
              + e.etag(),
          "check the backup folder: the saved object is not what was listed",
          ExitCategory.INTEGRITY);
    }
  }

  private static List<S3Object> list(S3Client s3, String bucket, S3Store store) {
    try {
      List<S3Object> out = new ArrayList<>();
      s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().forEach(out::add);
      return out;
    } catch (NoSuchBucketException e) {
      throw new KfbootException(
          "bucket " + bucket + " does not exist at " + store,
          "check the store's address and keys; the bucket is made by the release's install",
          ExitCategory.UNEXPECTED_STATE,
          e);
    } catch (S3Exception e) {
      throw new KfbootException(
          store + " refused to list bucket " + bucket + ": HTTP " + e.statusCode(),
          e.statusCode() == 403
              ? "the keys are wrong for this store: check the Secret they are read from"
              : "check that the store runs and answers S3 at that address",
          ExitCategory.UNEXPECTED_STATE,
          e);
    }
  }

  private static void ensureBucket(S3Client s3, String bucket, S3Store store) {
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (S3Exception e) {
      if (e instanceof NoSuchBucketException || e.statusCode() == 404) {
        s3.createBucket(b -> b.bucket(bucket));
      } else {
        throw new KfbootException(
            store + " refused bucket " + bucket + ": HTTP " + e.statusCode(),
            "check the store's keys",
            ExitCategory.UNEXPECTED_STATE,
            e);
      }
    }
  }

  private static KfbootException unwritable(Path dir, IOException e) {
    return new KfbootException(
        "cannot write the bucket listing into " + dir + ": " + e.getMessage(),
        "give a backup folder this user may write (--backup-dir)",
        ExitCategory.INVALID_INPUT,
        e);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
