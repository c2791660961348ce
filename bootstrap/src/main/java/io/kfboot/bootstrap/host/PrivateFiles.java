package io.kfboot.bootstrap.host;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files on this machine that hold what came from a host (snapshots, tokens): 0600 from their first
 * byte, written under a ".partial" name and moved into place only when complete, so that a cut-off
 * copy is never taken for a whole one.
 */
public final class PrivateFiles {
  private PrivateFiles() {}

  /** What a writer does with the stream of the partial file. */
  @FunctionalInterface
  public interface Writer {
    void write(OutputStream out) throws IOException;
  }

  /**
   * Writes {@code target} through {@code writer}; on any failure the partial file is removed and an
   * existing {@code target} is left as it was.
   *
   * @return the size written
   */
  public static long write(Path target, Writer writer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path partial = dir.resolve(target.getFileName() + ".partial");
    Files.deleteIfExists(partial);
    Files.createFile(
        partial,
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    boolean done = false;
    try {
      try (OutputStream out = Files.newOutputStream(partial)) {
        writer.write(out);
      }
      long size = Files.size(partial);
      Files.move(
          partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      done = true;
      return size;
    } finally {
      if (!done) {
        Files.deleteIfExists(partial);
      }
    }
  }
}
