package io.kfboot.verify.http;

import io.kfboot.verify.VerifyException;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Logs in to Kubeflow as a person does, through the Istio ingress gateway: oauth2-proxy sends the
 * browser to Dex, Dex's local connector takes the e-mail and password (and, where configured, an
 * approval), and oauth2-proxy's callback sets the session cookie. Then one authenticated call to
 * the central dashboard's API proves the session works. The flow and its branches follow
 * kubeflow/manifests' own test, tests/dex_login_test.py (v1.10): a 403 sign-in page leads to
 * /oauth2/start; /auth picks the local connector; no redirect after the password means it was
 * refused.
 */
public final class DexLogin {
  private static final Pattern LOGIN = Pattern.compile(".*/auth/[^/]+/login$");
  private static final int MAX_HOPS = 15;

  private final URI endpoint;
  private final GatewayEndpoint gateway;
  private final HttpClient http;
  private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
  private final Duration timeout;
  private final List<String> trail = new ArrayList<>();

  /**
   * @param endpoint the gateway, e.g. http://localhost:8080
   */
  public DexLogin(URI endpoint, Duration timeout) {
    this(GatewayEndpoint.of(endpoint), timeout);
  }

  /**
   * @param gateway the gateway and the CA its certificate is checked against
   */
  public DexLogin(GatewayEndpoint gateway, Duration timeout) {
    this.gateway = gateway;
    this.endpoint = gateway.url();
    this.timeout = timeout;
    // redirects by hand: the trail explains a failure, and each hop's cookies must be kept
    this.http =
        gateway
            .client()
            .cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(timeout)
            .build();
  }

  /**
   * What a successful login gives: the user the dashboard reports, and a client that carries the
   * session cookie for further calls through the gateway (the Pipelines API).
   */
  public record Session(
      String user, String envInfo, List<String> trail, URI endpoint, HttpClient http) {}

  public Session login(String email, String password) {
    try {
      HttpResponse<String> r = follow(get(endpoint.resolve("/")));
      if (r.statusCode() == 403) {
        // oauth2-proxy's sign-in page: start the flow explicitly
        r = follow(get(endpoint.resolve("/oauth2/start?rd=" + enc("/"))));
      }
      if (trail.size() <= 1 && r.statusCode() == 200) {
        throw fail(
            "the gateway served " + endpoint + " without asking anyone to log in",
            "Kubeflow is unprotected: check the oauth2-proxy"
                + " and the RequestAuthentication/AuthorizationPolicy in istio-system");
      }
      URI at = r.uri();
      if (at.getPath().endsWith("/auth")) {
        at =
            at.resolve(
                at.getPath() + "/local" + (at.getRawQuery() == null ? "" : "?" + at.getRawQuery()));
        r = follow(get(at));
        at = r.uri();
      }
      if (!LOGIN.matcher(at.getPath()).matches() || r.statusCode() != 200) {
        throw fail(
            "expected Dex's login page, got HTTP " + r.statusCode() + " at " + at.getPath(),
            "check Dex in namespace auth and its connector");
      }
      HttpResponse<String> posted =
          send(
              HttpRequest.newBuilder(at)
                  .timeout(timeout)
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "login=" + enc(email) + "&password=" + enc(password)))
                  .build());
      if (posted.statusCode() == 200) {
        throw fail(
            "Dex refused the login of " + email + " (no redirect after the password)",
            "use the password kfboot generated (in the credentials file 'kfboot install' printed),"
                + " or reinstall to set it again");
      }
      if (!isRedirect(posted.statusCode())) {
        throw fail(
            "Dex answered HTTP " + posted.statusCode() + " to the login form",
            "look at Dex's log (namespace auth)");
      }
      r = follow(redirect(posted));
      if (r.uri().getPath().endsWith("/approval")) {
        r =
            follow(
                redirect(
                    send(
                        HttpRequest.newBuilder(r.uri())
                            .timeout(timeout)
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString("approval=approve"))
                            .build())));
      }
      if (r.statusCode() != 200) {
        throw fail(
            "after the login the gateway answered HTTP "
                + r.statusCode()
                + " at "
                + r.uri().getPath(),
            "look at oauth2-proxy's log (namespace oauth2-proxy)");
      }
      HttpResponse<String> env = send(get(endpoint.resolve("/api/workgroup/env-info")));
      if (env.statusCode() != 200 || !env.body().contains("\"user\"")) {
        throw fail(
            "the central dashboard's API answered HTTP "
                + env.statusCode()
                + " for the logged-in session",
            "look at the centraldashboard pod in kubeflow");
      }
      String user = env.body().replaceAll("(?s).*\"user\"\\s*:\\s*\"([^\"]*)\".*", "$1");
      if (!user.equals(email)) {
        throw fail(
            "the dashboard sees the session as '" + user + "', not " + email,
            "check the kubeflow-userid header oauth2-proxy sets (--email-domain, claims)");
      }
      return new Session(user, env.body(), List.copyOf(trail), endpoint, http);
    } catch (SSLException e) {
      throw fail(
          "the TLS handshake with " + endpoint + " failed: " + e.getMessage(), gateway.trustFix());
    } catch (IOException e) {
      throw fail(
          "cannot reach " + endpoint + ": " + e.getMessage(),
          "check the gateway URL, or that istio-ingressgateway has endpoints");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw fail("interrupted", "");
    }
  }

  private HttpRequest get(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
  }

  private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    trail.add(request.method() + " " + request.uri().getPath() + " -> " + r.statusCode());
    return r;
  }

  /**
   * Sends and follows redirects as a browser does (a POST redirected with 301-303 becomes a GET).
   */
  private HttpResponse<String> follow(HttpRequest request)
      throws IOException, InterruptedException {
    return follow(send(request));
  }

  private HttpResponse<String> follow(HttpResponse<String> r)
      throws IOException, InterruptedException {
    for (int hop = 0; hop < MAX_HOPS && isRedirect(r.statusCode()); hop++) {
      r = send(redirect(r));
    }
    if (isRedirect(r.statusCode())) {
      throw fail(
          "more than " + MAX_HOPS + " redirects",
          "a redirect loop: check oauth2-proxy's cookie domain and the gateway URL");
    }
    return r;
  }

  private HttpRequest redirect(HttpResponse<String> r) {
    String location =
        r.headers()
            .firstValue("Location")
            .orElseThrow(
                () -> fail("HTTP " + r.statusCode() + " without Location at " + r.uri(), ""));
    return get(r.uri().resolve(location));
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private VerifyException fail(String message, String fix) {
    return new VerifyException(
        "Dex login: " + message, fix, "requests: " + String.join(", ", trail));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
