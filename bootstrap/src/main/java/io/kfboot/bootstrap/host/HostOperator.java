package io.kfboot.bootstrap.host;

import io.kfboot.bootstrap.command.Command;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What kfboot does to a host: run a command, put a file, read a file. Three implementations: over
 * SSH ({@code SshHostOperator}), on this machine ({@link LocalHostOperator}), and a recording fake
 * ({@link RecordingHostOperator}) for tests and dry runs.
 */
public interface HostOperator extends AutoCloseable {
  /** The host's name in progress lines and errors. */
  String name();

  /** Runs the command; a non-zero exit is a result, not an exception. */
  ExecResult exec(Command command, Duration timeout);

  /**
   * Writes a file atomically (a temp file beside it, then a rename) with the given mode, and owner
   * "user:group" when not null. The content never passes through a shell or a log.
   */
  void upload(byte[] content, String path, int mode, String owner);

  /**
   * {@link #upload} of a file on this machine (a datastore snapshot to restore). Read into memory
   * here; the SSH transport overrides it to stream the file instead.
   */
  default void upload(Path local, String path, int mode, String owner) {
    byte[] content;
    try {
      content = Files.readAllBytes(local);
    } catch (IOException e) {
      throw new HostException(
          name(), "cannot read " + local + ": " + e.getMessage(), "check the local file", false, e);
    }
    upload(content, path, mode, owner);
  }

  /** The file's bytes, read as root. */
  byte[] read(String path);

  /**
   * Streams a file, read as root, to {@code local} on this machine: for what is too big to hold in
   * memory or is not text (datastore snapshots). {@code local} is written under a temporary name,
   * created 0600 before a byte arrives, and moved into place once the whole file came.
   *
   * @return the bytes written
   */
  long download(String path, Path local, Duration timeout);

  @Override
  void close();
}
