package io.kfboot.bootstrap.host;

import io.kfboot.bootstrap.command.Command;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The machine kfboot runs on ({@code --local}): processes through ProcessBuilder, files through
 * NIO.
 */
public final class LocalHostOperator implements HostOperator {
  private final String name;

  public LocalHostOperator(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ExecResult exec(Command command, Duration timeout) {
    long start = System.nanoTime();
    Process p;
    try {
      p = new ProcessBuilder(command.argv()).start();
    } catch (IOException e) {
      return new ExecResult(127, "", e.getMessage(), Duration.ofNanos(System.nanoTime() - start));
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try (OutputStream in = p.getOutputStream()) {
      byte[] stdin = command.stdin();
      if (stdin != null) {
        in.write(stdin);
      }
    } catch (IOException e) {
      // the program did not read its stdin; its exit code tells the rest
    }
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        throw new HostException(
            name,
            command.redacted() + " did not finish within " + timeout.toSeconds() + "s",
            "raise the command timeout, or look at what the command waits for on " + name,
            false);
      }
      return new ExecResult(
          p.exitValue(), out.join(), err.join(), Duration.ofNanos(System.nanoTime() - start));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new HostException(name, "interrupted while running " + command.redacted(), "", false);
    }
  }

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            in.transferTo(b);
            return b.toString(StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  @Override
  public void upload(byte[] content, String path, int mode, String owner) {
    Path target = Path.of(path);
    try {
      Files.createDirectories(target.toAbsolutePath().getParent());
      Path tmp =
          Files.createTempFile(
              target.toAbsolutePath().getParent(), "." + target.getFileName(), ".kfboot");
      try {
        Files.setPosixFilePermissions(tmp, permissions(mode));
        Files.write(tmp, content);
        if (owner != null) {
          UserPrincipalLookupService lookup = tmp.getFileSystem().getUserPrincipalLookupService();
          String[] ug = owner.split(":", 2);
          PosixFileAttributeView view =
              Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
          view.setOwner(lookup.lookupPrincipalByName(ug[0]));
          if (ug.length > 1) {
            GroupPrincipal g = lookup.lookupPrincipalByGroupName(ug[1]);
            view.setGroup(g);
          }
        }
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new HostException(
          name,
          "cannot write " + path + ": " + e.getMessage(),
          "run kfboot as root for --local",
          false,
          e);
    }
  }

  @Override
  public byte[] read(String path) {
    try {
      return Files.readAllBytes(Path.of(path));
    } catch (IOException e) {
      throw new HostException(
          name,
          "cannot read " + path + ": " + e.getMessage(),
          "check that the file exists",
          false,
          e);
    }
  }

  @Override
  public long download(String path, Path local, Duration timeout) {
    try {
      return PrivateFiles.write(local, out -> Files.copy(Path.of(path), out));
    } catch (IOException e) {
      throw new HostException(
          name,
          "cannot copy " + path + " to " + local + ": " + e.getMessage(),
          "check that " + path + " exists and that " + local.getParent() + " may be written",
          false,
          e);
    }
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < order.length; i++) {
      if ((mode & (1 << i)) != 0) {
        s.add(order[i]);
      }
    }
    return s;
  }

  @Override
  public void close() {}
}
