package io.kfboot.manifests.archive;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Writes hand-made tarballs, hostile ones included, for tests. */
public final class TarBuilder implements AutoCloseable {
  private final TarArchiveOutputStream tar;

  public TarBuilder(Path file) throws IOException {
    OutputStream out = new GzipCompressorOutputStream(Files.newOutputStream(file));
    tar = new TarArchiveOutputStream(out);
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
  }

  public TarBuilder comment(String commit) throws IOException {
    TarArchiveEntry global =
        new TarArchiveEntry("pax_global_header", TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER);
    global.addPaxHeader("comment", commit);
    // commons-compress writes and closes a global pax header entry in putArchiveEntry.
    tar.putArchiveEntry(global);
    return this;
  }

  public TarBuilder dir(String name) throws IOException {
    tar.putArchiveEntry(new TarArchiveEntry(name.endsWith("/") ? name : name + "/"));
    tar.closeArchiveEntry();
    return this;
  }

  public TarBuilder file(String name, String content) throws IOException {
    return file(name, content, 0644);
  }

  public TarBuilder file(String name, String content, int mode) throws IOException {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(bytes.length);
    e.setMode(0100000 | mode);
    tar.putArchiveEntry(e);
    tar.write(bytes);
    tar.closeArchiveEntry();
    return this;
  }

  public TarBuilder symlink(String name, String target) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
    e.setLinkName(target);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  /**
   * Every entry of a real release tarball, as it is there (its commit as the pax comment first), so
   * that hostile entries can be added after a real tree.
   *
   * @return the archive's top-level folder
   */
  public String copyOf(Path tarGz) throws IOException {
    String top = null;
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new GzipCompressorInputStream(Files.newInputStream(tarGz)))) {
      TarArchiveEntry e;
      boolean first = true;
      while ((e = in.getNextEntry()) != null) {
        if (first && e.getExtraPaxHeaders().containsKey("comment")) {
          comment(e.getExtraPaxHeaders().get("comment"));
        }
        first = false;
        if (top == null) {
          top = e.getName().split("/")[0];
        }
        TarArchiveEntry copy;
        if (e.isDirectory()) {
          copy = new TarArchiveEntry(e.getName());
        } else if (e.isSymbolicLink()) {
          copy = new TarArchiveEntry(e.getName(), TarConstants.LF_SYMLINK, true);
          copy.setLinkName(e.getLinkName());
        } else {
          copy = new TarArchiveEntry(e.getName(), true);
          copy.setSize(e.getSize());
          copy.setMode(e.getMode());
        }
        tar.putArchiveEntry(copy);
        if (copy.isFile()) {
          in.transferTo(tar);
        }
        tar.closeArchiveEntry();
      }
    }
    return top;
  }

  public TarBuilder hardLink(String name, String target) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
    e.setLinkName(target);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  public TarBuilder special(String name, byte type) throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, type, true);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
    return this;
  }

  @Override
  public void close() throws IOException {
    tar.close();
  }
}
