package io.kfboot.components.auth;

import io.kfboot.components.check.CheckResult;
import io.kfboot.core.ExitCategory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Does before Dex runs what Dex's oidc connector does when it starts: read the provider's discovery
 * document (OpenID Connect Discovery 1.0, issuer + /.well-known/openid-configuration) and check it
 * names the configured issuer exactly, as go-oidc requires, with the endpoints a login needs. For
 * every connector that sends browsers to a provider, checks the redirect URI the provider will send
 * them back to: a browser must reach it.
 */
public final class OidcCheck {
  private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final Duration timeout;

  public OidcCheck(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * @param issuer Dex's issuer, whose /callback the provider redirects to
   */
  public CheckResult check(Connector c, String issuer) {
    List<String> findings = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    String redirect = AuthConfig.redirectUri(issuer);
    URI r = URI.create(redirect);
    String host = r.getHost() == null ? "" : r.getHost().toLowerCase(Locale.ROOT);
    if (host.endsWith(".svc.cluster.local") || host.endsWith(".svc")) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          c.where()
              + ": the provider would send browsers back to "
              + redirect
              + ", a name only the cluster resolves",
          "give the gateway's public address: auth.issuer (or --issuer) https://HOST/dex, and"
              + " register https://HOST/dex/callback at the provider",
          ExitCategory.INVALID_INPUT);
    }
    if ("http".equals(r.getScheme()) && !LOOPBACK.contains(host)) {
      warnings.add(
          "redirect URI "
              + redirect
              + " is plain http: Azure AD, Google and GitHub accept http only for localhost;"
              + " serve the gateway over HTTPS");
    }
    findings.add("redirect URI to register at the provider: " + redirect);
    if (!c.type().equals("oidc")) {
      findings.add(c.type() + ": the provider is contacted by Dex at login, not checked here");
      return ConnectorResults.passed(c, findings, warnings);
    }
    String configured = String.valueOf(c.get("issuer"));
    String discovery =
        (configured.endsWith("/") ? configured.substring(0, configured.length() - 1) : configured)
            + "/.well-known/openid-configuration";
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .sslContext(Trust.context(c))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    HttpResponse<String> response;
    String where = c.where() + ".config.issuer";
    try {
      response =
          client.send(
              HttpRequest.newBuilder(URI.create(discovery)).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    } catch (HttpConnectTimeoutException | ConnectException e) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + ": cannot reach " + discovery + " (" + reason(e) + ")",
          "check the issuer URL, and that this machine reaches it (Dex connects from the cluster);"
              + " skip with --no-auth-check where only the cluster can",
          ExitCategory.NETWORK);
    } catch (HttpTimeoutException e) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + ": " + discovery + " did not answer in " + timeout.toSeconds() + "s",
          "check the issuer URL and the provider",
          ExitCategory.NETWORK);
    } catch (SSLException e) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + ": TLS to " + discovery + " failed: " + e.getMessage(),
          "give rootCAFile: the CA that signed the provider's certificate",
          ExitCategory.NETWORK);
    } catch (IOException e) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + ": reading " + discovery + " failed: " + reason(e),
          "check the issuer URL and the provider",
          ExitCategory.NETWORK);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + ": interrupted",
          "run the check again",
          ExitCategory.NETWORK);
    }
    if (response.statusCode() != 200) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where
              + ": "
              + discovery
              + " answered HTTP "
              + response.statusCode()
              + ", not the discovery document",
          "give the issuer exactly as the provider publishes it (Keycloak:"
              + " https://HOST/realms/REALM; Azure AD:"
              + " https://login.microsoftonline.com/TENANT/v2.0)",
          ExitCategory.INVALID_INPUT);
    }
    Map<?, ?> doc;
    try {
      Object parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(response.body());
      if (!(parsed instanceof Map<?, ?> m)) {
        throw new YAMLException("not an object");
      }
      doc = m;
    } catch (YAMLException e) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + ": " + discovery + " is no OpenID discovery document (no JSON object)",
          "give the issuer of an OpenID Connect provider",
          ExitCategory.INVALID_INPUT);
    }
    Object published = doc.get("issuer");
    if (!configured.equals(published)) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + " '" + configured + "' is not the issuer the provider names: '" + published + "'",
          "set issuer to '"
              + published
              + "' exactly (Dex compares it character by character,"
              + " trailing slash included)",
          ExitCategory.INVALID_INPUT);
    }
    for (String endpoint : List.of("authorization_endpoint", "token_endpoint", "jwks_uri")) {
      if (!(doc.get(endpoint) instanceof String)) {
        return ConnectorResults.failed(
            c,
            findings,
            warnings,
            where + ": the provider's discovery document has no " + endpoint,
            "use the provider's OpenID Connect issuer, not an OAuth2-only endpoint",
            ExitCategory.INVALID_INPUT);
      }
    }
    findings.add(
        "discovery document of " + configured + ": token endpoint " + doc.get("token_endpoint"));
    if (doc.get("scopes_supported") instanceof List<?> supported
        && c.get("scopes") instanceof List<?> asked) {
      for (Object s : asked) {
        if (!supported.contains(s)) {
          warnings.add(
              "scope '" + s + "' is not among the provider's scopes_supported " + supported);
        }
      }
    }
    return ConnectorResults.passed(c, findings, warnings);
  }

  private static String reason(Exception e) {
    if (e instanceof ConnectException) {
      return "connection refused";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
