package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.kfboot.verify.VerifyException;
import java.net.InetSocketAddress;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** A port-forward to a gateway that redirects to HTTPS is refused with the way out. */
class HttpsRedirectTest {
  static HttpServer gateway(int status, String location) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.createContext(
        "/",
        x -> {
          x.getResponseHeaders().add("Location", location);
          x.sendResponseHeaders(status, -1);
          x.close();
        });
    s.start();
    return s;
  }

  static URI url(HttpServer s) {
    return URI.create("http://127.0.0.1:" + s.getAddress().getPort());
  }

  @Test
  void istiosHttpsRedirectIsNamedWithTheFix() throws Exception {
    HttpServer s = gateway(301, "https://127.0.0.1/");
    try {
      assertThatThrownBy(() -> VerifySuite.requireNoHttpsRedirect(url(s)))
          .isInstanceOf(VerifyException.class)
          .hasMessageContaining("redirects HTTP to HTTPS")
          .satisfies(
              e ->
                  assertThat(((VerifyException) e).fix())
                      .contains("-i")
                      .contains("--gateway-url https://HOST"));
    } finally {
      s.stop(0);
    }
  }

  @Test
  void oauth2ProxysLoginRedirectIsNoHttpsRedirect() throws Exception {
    HttpServer s = gateway(302, "/oauth2/start?rd=%2F");
    try {
      assertThatCode(() -> VerifySuite.requireNoHttpsRedirect(url(s))).doesNotThrowAnyException();
    } finally {
      s.stop(0);
    }
  }
}
