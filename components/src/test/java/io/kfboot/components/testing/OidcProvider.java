package io.kfboot.components.testing;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.kfboot.verify.http.TestTls;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A loopback OpenID provider's discovery endpoint over HTTPS, with its own self-signed certificate
 * (made by the JDK's keytool, {@link TestTls}) for 127.0.0.1: it publishes {@code published} as its
 * issuer at /realms/kubeflow/.well-known/openid-configuration, as Keycloak lays it out.
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
    TestTls tls = TestTls.make(dir, "idp", "ip:127.0.0.1,dns:localhost");
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(tls.https());
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
    return new OidcProvider(own, tls.pem(), server);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
