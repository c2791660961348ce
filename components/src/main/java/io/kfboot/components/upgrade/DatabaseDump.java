package io.kfboot.components.upgrade;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * A logical dump of a MySQL server's databases, made by the server's own {@code mysqldump} inside
 * its pod and streamed to a 0600 file on the machine that runs kfboot: the backup an upgrade takes
 * before Pipelines' MySQL moves from 8.0 to 8.4, which cannot be undone. The password goes in on
 * standard input as an option file, never in argv.
 */
public final class DatabaseDump {
  /**
   * What to dump and how to reach it from inside the pod.
   *
   * @param name the file's name, e.g. "pipelines" for pipelines.sql
   * @param port the server's port as seen from inside its pod
   */
  public record Target(String name, int port, String user, List<String> databases) {
    public Target {
      databases = List.copyOf(databases);
    }
  }

  /** The trailer mysqldump (and MariaDB's) writes last: a dump without it was cut off. */
  static final String COMPLETED = "-- Dump completed";

  private final PodExec exec;

  public DatabaseDump(PodExec exec) {
    this.exec = exec;
  }

  /**
   * One database of a server the pod reaches (its own on 127.0.0.1, or an external one), dumped
   * without its name: no CREATE DATABASE or USE, so that it loads into a database of another name.
   *
   * @param name the file's name, e.g. "pipelines-metadata" for pipelines-metadata.sql
   */
  public record Single(String name, String host, int port, String user, String database) {}

  /** The argv run in the pod. */
  static List<String> argv(Target t) {
    List<String> a = argv("127.0.0.1", t.port(), t.user());
    a.add("--databases");
    a.addAll(t.databases());
    return a;
  }

  static List<String> argv(Single s) {
    List<String> a = argv(s.host(), s.port(), s.user());
    a.add(s.database());
    return a;
  }

  private static List<String> argv(String host, int port, String user) {
    List<String> a = new ArrayList<>();
    // must come first; /dev/stdin carries the password
    a.add("mysqldump");
    a.add("--defaults-extra-file=/dev/stdin");
    a.add("--host=" + host);
    a.add("--port=" + port);
    a.add("--user=" + user);
    a.add("--single-transaction");
    a.add("--routines");
    a.add("--events");
    return a;
  }

  /** Dumps one database into {@code dir}/{@code name}.sql, as {@link #dump} does. */
  public Path dump(
      String namespace, String pod, String container, Single s, String password, Path dir) {
    return dump(namespace, pod, container, argv(s), s.name(), List.of(s.database()), password, dir);
  }

  /**
   * Dumps into {@code dir}/{@code name}.sql (0600, written under a temporary name and moved into
   * place once complete).
   *
   * @return the dump file
   */
  public Path dump(
      String namespace, String pod, String container, Target t, String password, Path dir) {
    return dump(namespace, pod, container, argv(t), t.name(), t.databases(), password, dir);
  }

  private Path dump(
      String namespace,
      String pod,
      String container,
      List<String> argv,
      String name,
      List<String> databases,
      String password,
      Path dir) {
    Path file = dir.resolve(name + ".sql");
    Path partial = dir.resolve(name + ".sql.partial");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(partial);
      Files.createFile(
          partial,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      try (OutputStream out = Files.newOutputStream(partial)) {
        code =
            exec.exec(
                namespace,
                pod,
                container,
                argv,
                new ByteArrayInputStream(optionFile(password)),
                out,
                err);
      }
    } catch (IOException e) {
      throw new KfbootException(
          "cannot write the backup " + partial + ": " + e.getMessage(),
          "give a backup folder this user may write (--backup-dir), with room for the dump",
          ExitCategory.INVALID_INPUT,
          e);
    }
    if (code != 0) {
      delete(partial);
      throw new KfbootException(
          "mysqldump of "
              + String.join(", ", databases)
              + " in pod "
              + namespace
              + "/"
              + pod
              + " exited "
              + code
              + ": "
              + redacted(PodExec.text(err), password),
          "check the database's user and password (the Secret kfboot read them from) and that the"
              + " databases exist; nothing was changed",
          ExitCategory.UNEXPECTED_STATE);
    }
    if (!completed(partial)) {
      delete(partial);
      throw new KfbootException(
          "the dump of "
              + String.join(", ", databases)
              + " in pod "
              + namespace
              + "/"
              + pod
              + " was cut off (no \""
              + COMPLETED
              + "\" at its end)",
          "rerun: the dump is taken again; nothing was changed",
          ExitCategory.UNEXPECTED_STATE);
    }
    try {
      Files.move(
          partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new KfbootException(
          "cannot move the backup into place at " + file + ": " + e.getMessage(),
          "check the backup folder",
          ExitCategory.INVALID_INPUT,
          e);
    }
    return file;
  }

  /**
   * A MySQL option file giving the password: quoted, with backslash and quote escaped, as option
   * files read them (https://dev.mysql.com/doc/refman/8.4/en/option-files.html).
   */
  static byte[] optionFile(String password) {
    if (password.indexOf('\n') >= 0 || password.indexOf('\r') >= 0) {
      throw new KfbootException(
          "the database password holds a line break, which no MySQL option file can carry",
          "set a password without line breaks in the database Secret",
          ExitCategory.INVALID_INPUT);
    }
    String quoted = password.replace("\\", "\\\\").replace("\"", "\\\"");
    return ("[client]\npassword=\"" + quoted + "\"\n").getBytes(StandardCharsets.UTF_8);
  }

  static String redacted(String text, String secret) {
    return secret.isEmpty() ? text : text.replace(secret, "***");
  }

  static boolean completed(Path dump) {
    try (RandomAccessFile f = new RandomAccessFile(dump.toFile(), "r")) {
      long len = f.length();
      int tail = (int) Math.min(len, 256);
      byte[] b = new byte[tail];
      f.seek(len - tail);
      f.readFully(b);
      return new String(b, StandardCharsets.UTF_8).contains(COMPLETED);
    } catch (IOException e) {
      return false;
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // what is left is a .partial file, never taken for a backup
    }
  }
}
