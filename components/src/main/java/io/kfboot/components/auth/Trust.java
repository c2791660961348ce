package io.kfboot.components.auth;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS trust a check uses, as Dex would: the connector's CA file when it names one, nothing at
 * all with {@code insecureSkipVerify}, else the JVM's default CAs.
 */
final class Trust {
  private Trust() {}

  static SSLContext context(Connector c) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      if (Boolean.TRUE.equals(c.get("insecureSkipVerify"))) {
        ctx.init(null, new TrustManager[] {new TrustAll()}, null);
      } else if (c.rootCaFile() != null) {
        ctx.init(null, managers(c.rootCaFile(), c), null);
      } else {
        ctx.init(null, null, null);
      }
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new KfbootException(
          c.where() + ": cannot set up TLS: " + e.getMessage(),
          "check rootCAFile",
          ExitCategory.INVALID_INPUT,
          e);
    }
  }

  private static TrustManager[] managers(Path caFile, Connector c) throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try (InputStream in = Files.newInputStream(caFile)) {
      store.load(null, null);
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new KfbootException(
            c.where() + ".rootCAFile " + caFile + " holds no certificate",
            "give the CA certificate in PEM",
            ExitCategory.INVALID_INPUT);
      }
      int i = 0;
      for (Certificate cert : certs) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
    } catch (IOException e) {
      throw new KfbootException(
          c.where() + ".rootCAFile " + caFile + " cannot be read: " + e.getMessage(),
          "check the path",
          ExitCategory.INVALID_INPUT);
    }
    TrustManagerFactory f =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    f.init(store);
    return f.getTrustManagers();
  }

  /** insecureSkipVerify, as Dex has it: the check reports it as a warning. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
