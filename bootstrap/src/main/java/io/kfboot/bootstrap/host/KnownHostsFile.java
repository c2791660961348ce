package io.kfboot.bootstrap.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Records accepted host keys in a known_hosts file, one writer at a time: a lock per file inside
 * this process (several hosts are connected at once) and an exclusive file lock across processes
 * (the Pulumi stack runs several {@code kfboot hosts step} at once). Each key is one append of a
 * whole line, skipped when the line is already there. The folder (0700) and file (0600) are made
 * only when a key is written, so a run that fails before that leaves nothing behind.
 */
public final class KnownHostsFile {
  private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

  private KnownHostsFile() {}

  /** Appends {@code line} (host, type, key) unless the file already holds it. */
  public static void append(Path file, String line) throws IOException {
    Path abs = file.toAbsolutePath().normalize();
    ReentrantLock lock = LOCKS.computeIfAbsent(abs, p -> new ReentrantLock());
    lock.lock();
    try {
      Path dir = abs.getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (!Files.exists(abs)) {
        try {
          Files.createFile(
              abs,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
          // another process made it first: fine, it is appended to below
        }
      }
      try (FileChannel ch =
              FileChannel.open(abs, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
          FileLock ignored = ch.lock()) {
        String existing = Files.readString(abs, StandardCharsets.UTF_8);
        String entry = line.endsWith("\n") ? line : line + "\n";
        if (existing.lines().anyMatch(l -> l.equals(entry.strip()))) {
          return;
        }
        String toWrite = existing.isEmpty() || existing.endsWith("\n") ? entry : "\n" + entry;
        ByteBuffer buf = ByteBuffer.wrap(toWrite.getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
    } finally {
      lock.unlock();
    }
  }
}
