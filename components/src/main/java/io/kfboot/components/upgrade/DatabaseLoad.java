package io.kfboot.components.upgrade;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads a {@link DatabaseDump} back into a MySQL server with the server's own {@code mysql} client
 * inside its pod, the dump streamed in on standard input: the way back from an upgrade, since the
 * files MySQL 8.4 leaves on its volume cannot be opened by 8.0, while a logical dump loads into
 * either. The password rides on the same standard input, ahead of the dump, into an option file
 * only the pod's user can read, removed when the client ends; it is never in argv.
 */
public final class DatabaseLoad {
  private final PodExec exec;

  public DatabaseLoad(PodExec exec) {
    this.exec = exec;
  }

  /**
   * The script run in the pod: two lines of option file from stdin, then the client on the rest.
   */
  static List<String> argv(int port, String user) {
    return argv("127.0.0.1", port, user);
  }

  static List<String> argv(String host, int port, String user) {
    return List.of(
        "sh",
        "-c",
        "umask 077; f=/tmp/.kfboot-load-$$.cnf; IFS= read -r a; IFS= read -r b; printf '%s\\n%s\\n'"
            + " \"$a\" \"$b\" > \"$f\"; mysql --defaults-extra-file=\"$f\" --host="
            + host
            + " --port="
            + port
            + " --user="
            + user
            + "; rc=$?; rm -f \"$f\"; exit $rc");
  }

  /**
   * Loads {@code dump} (made by {@link DatabaseDump}: it creates its databases) into the server.
   */
  public void load(
      String namespace,
      String pod,
      String container,
      int port,
      String user,
      String password,
      Path dump) {
    load(namespace, pod, container, argv(port, user), password, new byte[0], dump);
  }

  /**
   * Loads a dump of one database ({@link DatabaseDump.Single}) into {@code database} of the server
   * at {@code host}, made first if it is not there, by the client of the pod that reaches it.
   */
  public void loadInto(
      String namespace,
      String pod,
      String container,
      String host,
      int port,
      String user,
      String password,
      String database,
      Path dump) {
    if (!database.matches("[A-Za-z0-9_$]+")) {
      throw new KfbootException(
          "database name '" + database + "' needs quoting, which kfboot does not do",
          "name the database with letters, digits, _ and $ only",
          ExitCategory.INVALID_INPUT);
    }
    byte[] use =
        ("CREATE DATABASE IF NOT EXISTS `" + database + "`;\nUSE `" + database + "`;\n")
            .getBytes(StandardCharsets.UTF_8);
    load(namespace, pod, container, argv(host, port, user), password, use, dump);
  }

  private void load(
      String namespace,
      String pod,
      String container,
      List<String> argv,
      String password,
      byte[] before,
      Path dump) {
    if (!DatabaseDump.completed(dump)) {
      throw new KfbootException(
          "the dump "
              + dump
              + " is cut off or is no mysqldump (no \""
              + DatabaseDump.COMPLETED
              + "\" at its end)",
          "give a dump 'kfboot backup' wrote; nothing was changed",
          ExitCategory.INVALID_INPUT);
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (InputStream in =
        new SequenceInputStream(
            new SequenceInputStream(
                new ByteArrayInputStream(DatabaseDump.optionFile(password)),
                new ByteArrayInputStream(before)),
            Files.newInputStream(dump))) {
      code = exec.exec(namespace, pod, container, argv, in, OutputStream.nullOutputStream(), err);
    } catch (IOException e) {
      throw new KfbootException(
          "cannot read the dump " + dump + ": " + e.getMessage(),
          "give the backup folder as 'kfboot backup' wrote it",
          ExitCategory.INVALID_INPUT,
          e);
    }
    if (code != 0) {
      throw new KfbootException(
          "loading "
              + dump.getFileName()
              + " into pod "
              + namespace
              + "/"
              + pod
              + " exited "
              + code
              + ": "
              + DatabaseDump.redacted(PodExec.text(err), password),
          "check the database's user and password (the Secret kfboot read them from); the load"
              + " may be rerun, the dump drops and makes each table again",
          ExitCategory.UNEXPECTED_STATE);
    }
  }
}
