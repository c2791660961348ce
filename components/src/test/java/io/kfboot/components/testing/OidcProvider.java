package io.kfboot.components.testing;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A loopback OpenID provider's discovery endpoint over HTTPS, with its own self-signed certificate
 * (made by the JDK's keytool) for 127.0.0.1: it publishes {@code published} as its issuer at
 * /realms/kubeflow/.well-known/openid-configuration, as Keycloak lays it out.
 */
public final class OidcProvider implements AutoCloseable {
  public final String issuer;
  public final Path caFile;
  private final HttpServer server;

  private OidcProvider(String issuer, Path caFile, HttpServer server) {
    this.issuer = issuer;
    this.caFile = caFile;
    this.server = server;
  }

  /**
   * @param published the issuer the document names; null for this server's own
   */
  public static OidcProvider start(Path dir, String published) throws Exception {
    Path keystore = dir.resolve("provider.p12");
    Path cert = dir.resolve("provider-ca.pem");
    String pass = "changeit";
    run(
        List.of(
            keytool(),
            "-genkeypair",
            "-alias",
            "idp",
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-dname",
            "CN=127.0.0.1",
            "-ext",
            "san=ip:127.0.0.1,dns:localhost",
            "-validity",
            "2",
            "-storetype",
            "PKCS12",
            "-keystore",
            keystore.toString(),
            "-storepass",
            pass),
        dir);
    run(
        List.of(
            keytool(),
            "-exportcert",
            "-rfc",
            "-alias",
            "idp",
            "-keystore",
            keystore.toString(),
            "-storepass",
            pass,
            "-file",
            cert.toString()),
        dir);
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      ks.load(in, pass.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, pass.toCharArray());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(kmf.getKeyManagers(), null, null);
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ssl));
    String own = "https://127.0.0.1:" + server.getAddress().getPort() + "/realms/kubeflow";
    String issuer = published == null ? own : published;
    String doc =
        "{\"issuer\":\""
            + issuer
            + "\","
            + "\"authorization_endpoint\":\""
            + own
            + "/protocol/openid-connect/auth\","
            + "\"token_endpoint\":\""
            + own
            + "/protocol/openid-connect/token\","
            + "\"jwks_uri\":\""
            + own
            + "/protocol/openid-connect/certs\","
            + "\"scopes_supported\":[\"openid\",\"profile\",\"email\",\"groups\"]}";
    server.createContext(
        "/realms/kubeflow/.well-known/openid-configuration",
        exchange -> {
          byte[] body = doc.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    server.start();
    return new OidcProvider(own, cert, server);
  }

  private static String keytool() {
    return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
  }

  private static void run(List<String> command, Path dir) throws Exception {
    Path log = dir.resolve("keytool.log");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + Files.readString(log));
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
