package io.kfboot.verify.http;

import io.kfboot.verify.VerifyException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where the gateway is and whom its certificate must be signed by: the JDK's CAs, or (for a gateway
 * whose CA is the cluster's own) exactly the CA file kfboot exported.
 *
 * @param url the gateway's base URL, http or https
 * @param ssl the TLS context trusting the gateway's CA; null for the JDK's default CAs
 * @param caFile the file {@code ssl} trusts, to name in errors; null with the default CAs
 */
public record GatewayEndpoint(URI url, SSLContext ssl, Path caFile) {

  /** The gateway at {@code url}, its certificate (if https) checked against the JDK's CAs. */
  public static GatewayEndpoint of(URI url) {
    return new GatewayEndpoint(url, null, null);
  }

  /**
   * The gateway at {@code url}, its certificate checked against the CA certificates in a PEM file.
   */
  public static GatewayEndpoint trusting(URI url, Path caPem) {
    try (InputStream in = Files.newInputStream(caPem)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new VerifyException(
            "the gateway CA file " + caPem + " holds no certificate",
            "give the PEM CA certificate kfboot access exported (-----BEGIN CERTIFICATE-----)",
            "");
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        trust.setCertificateEntry("gateway-ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      return new GatewayEndpoint(url, ssl, caPem);
    } catch (IOException | GeneralSecurityException e) {
      throw new VerifyException(
          "cannot read the gateway CA file " + caPem + ": " + e.getMessage(),
          "give the PEM CA certificate kfboot access exported",
          "");
    }
  }

  /** A client builder for this gateway: its TLS trust set, everything else the JDK's default. */
  public HttpClient.Builder client() {
    HttpClient.Builder b = HttpClient.newBuilder();
    return ssl == null ? b : b.sslContext(ssl);
  }

  /** What to tell a person whose TLS handshake with the gateway failed. */
  public String trustFix() {
    return caFile == null
        ? "if the gateway's certificate is the cluster's own CA, pass --gateway-ca with the file"
            + " 'kfboot access' exports"
        : "check that "
            + caFile
            + " is the CA of the gateway's certificate ('kfboot access'"
            + " exports it anew)";
  }
}
