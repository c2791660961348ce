package io.kfboot.verify.http;

import com.sun.net.httpserver.HttpsConfigurator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed server certificate made by the JDK's keytool, for loopback HTTPS servers in tests:
 * its PEM is the CA a client must trust (a self-signed certificate is its own trust anchor).
 *
 * @param pem the certificate in PEM, as a CA file
 * @param https the server side, for an {@code HttpsServer}
 */
public record TestTls(Path pem, HttpsConfigurator https) {
  private static final String PASS = "changeit";

  /**
   * @param dir where the keystore and PEM are written
   * @param san keytool's subjectAltName, e.g. {@code ip:127.0.0.1,dns:localhost}
   */
  public static TestTls make(Path dir, String alias, String san) throws Exception {
    Path keystore = dir.resolve(alias + ".p12");
    Path pem = dir.resolve(alias + "-ca.pem");
    keytool(
        dir,
        List.of(
            "-genkeypair",
            "-alias",
            alias,
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=" + alias,
            "-ext",
            "san=" + san,
            "-validity",
            "2",
            "-storetype",
            "PKCS12",
            "-keystore",
            keystore.toString(),
            "-storepass",
            PASS));
    keytool(
        dir,
        List.of(
            "-exportcert",
            "-rfc",
            "-alias",
            alias,
            "-keystore",
            keystore.toString(),
            "-storepass",
            PASS,
            "-file",
            pem.toString()));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, PASS.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASS.toCharArray());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    return new TestTls(pem, new HttpsConfigurator(ssl));
  }

  private static void keytool(Path dir, List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(args);
    Path log = dir.resolve("keytool.log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + Files.readString(log));
    }
  }
}
