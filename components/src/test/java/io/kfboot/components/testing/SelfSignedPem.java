package io.kfboot.components.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate and its key as PEM files, made by openssl, for the test servers
 * that read PEM (slapd, MariaDB); the certificate is also the CA a client trusts.
 */
final class SelfSignedPem {
  private SelfSignedPem() {}

  /**
   * @param cn the subject's common name
   * @param san openssl's subjectAltName, e.g. {@code DNS:localhost,IP:127.0.0.1}
   */
  static void make(Path cert, Path key, String cn, String san) throws Exception {
    List<String> command =
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=" + cn,
            "-addext",
            "subjectAltName=" + san,
            "-keyout",
            key.toString(),
            "-out",
            cert.toString());
    Path log = cert.resolveSibling(cert.getFileName() + ".openssl.log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("openssl failed: " + Files.readString(log));
    }
  }
}
