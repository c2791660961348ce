package io.kfboot.platform;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kfboot.bootstrap.host.PrivateFiles;
import io.kfboot.core.Digests;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a backup folder holds, as {@value #FILE} (0600) beside it: the cluster and release it was
 * taken of, each database dump with where it loads back, each bucket listing with its store, the
 * k3s datastore snapshot, and the SHA-256 of every file, checked before a restore uses one. No
 * secret is in it: a restore reads the passwords from the cluster's Secrets, which upgrades keep.
 *
 * @param files file name (relative to the folder) to its SHA-256
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BackupManifest(
    int format,
    String cluster,
    String release,
    String takenAt,
    List<Database> databases,
    List<Bucket> buckets,
    Datastore datastore,
    Map<String, String> files) {
  public static final String FILE = "backup.json";
  static final int FORMAT = 1;

  public BackupManifest {
    databases = databases == null ? List.of() : List.copyOf(databases);
    buckets = buckets == null ? List.of() : List.copyOf(buckets);
    files = files == null ? Map.of() : Map.copyOf(new TreeMap<>(files));
  }

  /**
   * A dump and the server it came from.
   *
   * @param deployment the server's Deployment in {@code namespace}
   * @param pods the label selecting its pod, "key=value"
   * @param secret "namespace/name" holding its password under {@code passwordKey}
   */
  public record Database(
      String name,
      String file,
      String namespace,
      String deployment,
      String pods,
      int port,
      String user,
      String secret,
      String passwordKey,
      List<String> databases) {
    public Database {
      databases = List.copyOf(databases);
    }
  }

  /** A bucket's listing (and objects, when {@code copied}) and the store it came from. */
  public record Bucket(
      String bucket,
      String file,
      boolean copied,
      int objects,
      long bytes,
      String namespace,
      String pods,
      int port,
      String secret,
      String accessKeyField,
      String secretKeyField) {}

  /** The k3s datastore, saved on {@code host}. */
  public record Datastore(String kind, String host, String file, String token) {}

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Writes the manifest into {@code dir}, with the checksum of every file it names. */
  public BackupManifest write(Path dir) {
    try {
      PrivateFiles.write(
          dir.resolve(FILE),
          // Jackson closes the stream when done; PrivateFiles closing it again does nothing
          out -> JSON.writeValue(out, this));
      return this;
    } catch (IOException e) {
      throw new KfbootException(
          "cannot write " + dir.resolve(FILE) + ": " + e.getMessage(),
          "give a backup folder this user may write (--backup-dir)",
          ExitCategory.INVALID_INPUT,
          e);
    }
  }

  /**
   * The manifest of a backup folder, every file it names checked against its SHA-256: a file that
   * is missing, cut off or changed is refused before anything is restored from it.
   */
  public static BackupManifest read(Path dir) {
    Path f = dir.resolve(FILE);
    BackupManifest m;
    try {
      m = JSON.readValue(f.toFile(), BackupManifest.class);
    } catch (IOException e) {
      throw new KfbootException(
          "cannot read "
              + f
              + (e instanceof NoSuchFileException || !Files.exists(f)
                  ? ": there is no such file"
                  : ": " + e.getMessage()),
          "give --from a folder 'kfboot backup' (or 'kfboot upgrade') wrote",
          ExitCategory.INVALID_INPUT,
          e);
    }
    if (m.format() != FORMAT) {
      throw new KfbootException(
          f + " is of format " + m.format() + ", this kfboot reads " + FORMAT,
          "restore with the kfboot that took the backup",
          ExitCategory.INVALID_INPUT);
    }
    for (Map.Entry<String, String> e : m.files().entrySet()) {
      Path file = dir.resolve(e.getKey()).normalize();
      if (!file.startsWith(dir.normalize())) {
        throw new KfbootException(
            f + " names a file outside its folder: " + e.getKey(),
            "give a backup folder 'kfboot backup' wrote",
            ExitCategory.INVALID_INPUT);
      }
      if (!Files.isRegularFile(file)) {
        throw new KfbootException(
            "the backup file " + file + " is missing",
            "give the whole folder 'kfboot backup' wrote",
            ExitCategory.INVALID_INPUT);
      }
      if (!sha256(file).equals(e.getValue())) {
        throw new KfbootException(
            "the backup file " + file + " is not what was saved (its SHA-256 differs)",
            "the file was changed or cut off after the backup; use another backup",
            ExitCategory.INTEGRITY);
      }
    }
    return m;
  }

  static String sha256(Path file) {
    try {
      return Digests.sha256Hex(file);
    } catch (IOException e) {
      throw new KfbootException(
          "cannot read " + file + ": " + e.getMessage(),
          "check the backup folder",
          ExitCategory.INVALID_INPUT,
          e);
    }
  }
}
