package io.kfboot.verify.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Istio's gateway with oauth2-proxy and Dex behind it, as a browser meets them in
 * kubeflow/manifests v1.10: unauthenticated requests go to /oauth2/start (or get oauth2-proxy's 403
 * sign-in page), which sets a CSRF cookie and sends to Dex (issuer /dex); Dex's local connector
 * shows its form, takes e-mail and password (form-encoded POST), may ask for approval, and
 * redirects to oauth2-proxy's callback, which checks state against the CSRF cookie and sets the
 * session cookie. Wrong requests (method, content type, state, missing cookie, unknown code) are
 * refused, not accepted, so a client that cuts corners fails here as it would there.
 */
public final class FakeKubeflowGateway implements AutoCloseable {
  final String email;
  final String password;
  final boolean secure;
  boolean signInPage;
  boolean connectorSelection;
  boolean approval;
  boolean unprotected;
  public final List<String> refused = new CopyOnWriteArrayList<>();
  private static final Pattern NOTEBOOKS =
      Pattern.compile("/jupyter/api/namespaces/([^/]+)/notebooks");

  /** ml-pipeline behind the gateway, for the logged-in user's profile namespace. */
  public final FakeKfpApi kfp = new FakeKfpApi("kubeflow-user-example-com");

  /** Service-account tokens oauth2-proxy lets through as bearer JWTs (--skip-jwt-bearer-tokens). */
  public final Set<String> serviceAccountTokens = ConcurrentHashMap.newKeySet();

  private final HttpServer server;
  private final Map<String, String> requestState =
      new ConcurrentHashMap<>(); // Dex req -> oauth2 state
  private final Map<String, String> stateRd = new ConcurrentHashMap<>();
  private final Map<String, String> codes = new ConcurrentHashMap<>(); // code -> oauth2 state
  private final Map<String, String> sessions = new ConcurrentHashMap<>(); // cookie -> user

  /** Who logged in for a login flow, by its state. */
  private final Map<String, String> loggedIn = new ConcurrentHashMap<>();

  /** Dex's other static users: e-mail to password. */
  private final Map<String, String> otherUsers = new ConcurrentHashMap<>();

  /** Another static user Dex knows. */
  public FakeKubeflowGateway withUser(String email, String password) {
    otherUsers.put(email, password);
    return this;
  }

  /**
   * Who may list notebooks in a namespace (the Jupyter web app's SubjectAccessReview); by default
   * the owner of kubeflow-user-example-com only.
   */
  private volatile BiPredicate<String, String> authorized =
      (user, ns) -> ns.equals("kubeflow-user-example-com");

  public FakeKubeflowGateway(String email, String password) throws IOException {
    this(email, password, null);
  }

  /**
   * @param tls the gateway's certificate for HTTPS (its cookies then Secure, as with
   *     FORCE_HTTPS=true); null for plain HTTP
   */
  public FakeKubeflowGateway(String email, String password, TestTls tls) throws IOException {
    this.email = email;
    this.password = password;
    this.secure = tls != null;
    InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
    if (tls == null) {
      server = HttpServer.create(loopback, 0);
    } else {
      HttpsServer https = HttpsServer.create(loopback, 0);
      https.setHttpsConfigurator(tls.https());
      server = https;
    }
    server.createContext("/", this::handle);
    server.start();
  }

  /** Who may use which namespace, as the cluster's RBAC would answer a SubjectAccessReview. */
  public FakeKubeflowGateway authorizing(BiPredicate<String, String> byUserAndNamespace) {
    this.authorized = byUserAndNamespace;
    return this;
  }

  public URI url() {
    return URI.create(
        (secure ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private void handle(HttpExchange x) throws IOException {
    try {
      route(x);
    } catch (RuntimeException e) {
      send(x, 500, "text/plain", "fake gateway: " + e);
    }
  }

  private void route(HttpExchange x) throws IOException {
    String path = x.getRequestURI().getPath();
    Map<String, String> q = params(x.getRequestURI().getRawQuery());
    String method = x.getRequestMethod();
    if (unprotected) {
      send(x, 200, "text/html", "<html>Kubeflow Central Dashboard</html>");
      return;
    }
    switch (path) {
      case "/oauth2/start" -> {
        String state = UUID.randomUUID().toString();
        stateRd.put(state, q.getOrDefault("rd", "/"));
        x.getResponseHeaders()
            .add("Set-Cookie", "_oauth2_proxy_csrf=" + state + "; Path=/; HttpOnly" + secureFlag());
        redirect(
            x,
            302,
            "/dex/auth?client_id=kubeflow-oidc-authservice&redirect_uri=%2Foauth2%2Fcallback&response_type=code"
                + "&scope=openid+profile+email+groups&state="
                + state);
      }
      case "/dex/auth" -> {
        if (!"kubeflow-oidc-authservice".equals(q.get("client_id"))
            || !"code".equals(q.get("response_type"))
            || !stateRd.containsKey(q.get("state"))) {
          refuse(x, 400, "bad authorization request " + x.getRequestURI());
          return;
        }
        String req = UUID.randomUUID().toString().substring(0, 8);
        requestState.put(req, q.get("state"));
        if (connectorSelection) {
          send(
              x,
              200,
              "text/html",
              "<a href=\"/dex/auth/local?req="
                  + req
                  + "\">Log in with Email</a><a href=\"/dex/auth/ldap?req="
                  + req
                  + "\">LDAP</a>");
        } else {
          redirect(x, 302, "/dex/auth/local?req=" + req);
        }
      }
      case "/dex/auth/local" -> {
        String req = q.get("req");
        if (req == null || !requestState.containsKey(req)) {
          // a client that picked the connector itself from /dex/auth carries the original query
          // instead
          String state = q.get("state");
          if (state != null && stateRd.containsKey(state)) {
            req = UUID.randomUUID().toString().substring(0, 8);
            requestState.put(req, state);
          } else {
            refuse(x, 400, "unknown auth request");
            return;
          }
        }
        redirect(x, 302, "/dex/auth/local/login?back=&state=" + req);
      }
      case "/dex/auth/local/login" -> {
        String req = q.get("state");
        if (req == null || !requestState.containsKey(req)) {
          refuse(x, 400, "unknown auth request");
          return;
        }
        if (method.equals("GET")) {
          send(
              x,
              200,
              "text/html",
              "<form method=\"post\"><input name=\"login\"><input name=\"password\""
                  + " type=\"password\"></form>");
          return;
        }
        String type = x.getRequestHeaders().getFirst("Content-Type");
        if (!method.equals("POST")
            || type == null
            || !type.startsWith("application/x-www-form-urlencoded")) {
          refuse(x, 400, "login form must be POSTed form-encoded, got " + method + " " + type);
          return;
        }
        Map<String, String> form =
            params(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String login = String.valueOf(form.get("login"));
        String expected = email.equals(login) ? password : otherUsers.get(login);
        if (expected == null || !expected.equals(form.get("password"))) {
          send(
              x,
              200,
              "text/html",
              "<p>Invalid Email Address and password.</p><form method=\"post\"></form>");
          return;
        }
        loggedIn.put(requestState.get(req), login);
        if (approval) {
          redirect(x, 303, "/dex/approval?req=" + req);
        } else {
          redirect(x, 303, callback(req));
        }
      }
      case "/dex/approval" -> {
        String req = q.get("req");
        if (req == null || !requestState.containsKey(req)) {
          refuse(x, 400, "unknown approval request");
          return;
        }
        if (method.equals("GET")) {
          send(
              x,
              200,
              "text/html",
              "<form method=\"post\"><button name=\"approval\" value=\"approve\">Grant"
                  + " Access</button></form>");
          return;
        }
        Map<String, String> form =
            params(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (!"approve".equals(form.get("approval"))) {
          refuse(x, 400, "approval not given");
          return;
        }
        redirect(x, 303, callback(req));
      }
      case "/oauth2/callback" -> {
        String state = codes.remove(q.getOrDefault("code", ""));
        String csrf = cookie(x, "_oauth2_proxy_csrf");
        if (state == null || !state.equals(q.get("state")) || !state.equals(csrf)) {
          refuse(x, 403, "callback without a valid code, state and CSRF cookie");
          return;
        }
        String session = UUID.randomUUID().toString();
        sessions.put(session, loggedIn.getOrDefault(state, email));
        x.getResponseHeaders()
            .add(
                "Set-Cookie",
                "oauth2_proxy_kubeflow=" + session + "; Path=/; HttpOnly" + secureFlag());
        redirect(x, 302, stateRd.getOrDefault(state, "/"));
      }
      default -> {
        String user = sessions.get(String.valueOf(cookie(x, "oauth2_proxy_kubeflow")));
        String authorization = x.getRequestHeaders().getFirst("Authorization");
        if (user == null && authorization != null && authorization.startsWith("Bearer ")) {
          if (!serviceAccountTokens.contains(authorization.substring("Bearer ".length()))) {
            refuse(x, 401, "Jwt verification fails");
            return;
          }
          user = "system:serviceaccount:kubeflow-user-example-com:default-editor";
        }
        if (user == null) {
          if (signInPage) {
            send(x, 403, "text/html", "<html>Sign in with Dex</html>");
          } else {
            redirect(x, 302, "/oauth2/start?rd=" + URLEncoder.encode(path, StandardCharsets.UTF_8));
          }
          return;
        }
        if (path.startsWith("/pipeline/apis/v2beta1/")) {
          String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          if (!body.isEmpty()
              && !String.valueOf(x.getRequestHeaders().getFirst("Content-Type"))
                  .startsWith("application/json")) {
            refuse(x, 415, "the Pipelines API takes JSON");
            return;
          }
          try {
            FakeKfpApi.Answer a = kfp.handle(method, path, body);
            send(x, a.status(), "application/json", a.body());
          } catch (Exception e) {
            refuse(x, 400, "not JSON: " + e.getMessage());
          }
          return;
        }
        if (path.startsWith("/notebook/kubeflow-user-example-com/") && path.endsWith("/api")) {
          // Jupyter Server behind the notebook's VirtualService
          send(x, 200, "application/json", "{\"version\": \"2.14.2\"}");
          return;
        }
        Matcher notebooks = NOTEBOOKS.matcher(path);
        if (notebooks.matches()) {
          String ns = notebooks.group(1);
          if (authorized.test(user, ns)) {
            send(x, 200, "application/json", "{\"notebooks\":[],\"success\":true,\"status\":200}");
          } else {
            // the Jupyter web app's answer to a denied SubjectAccessReview
            send(
                x,
                403,
                "application/json",
                "{\"log\":\"User '"
                    + user
                    + "' is not authorized to list notebooks.kubeflow.org/v1beta1 for namespace '"
                    + ns
                    + "'\",\"status\":403,\"success\":false}");
          }
          return;
        }
        if (path.equals("/api/workgroup/env-info")) {
          send(
              x,
              200,
              "application/json",
              "{\"user\":\""
                  + user
                  + "\",\"platform\":{\"kubeflowVersion\":\"1.10.2\"},"
                  + "\"namespaces\":[{\"namespace\":\"kubeflow-user-example-com\",\"role\":\"owner\",\"user\":\""
                  + user
                  + "\"}],\"isClusterAdmin\":false}");
        } else {
          send(x, 200, "text/html", "<html>Kubeflow Central Dashboard</html>");
        }
      }
    }
  }

  private String secureFlag() {
    return secure ? "; Secure" : "";
  }

  private String callback(String req) {
    String state = requestState.remove(req);
    String code = UUID.randomUUID().toString();
    codes.put(code, state);
    return "/oauth2/callback?code=" + code + "&state=" + state;
  }

  private void refuse(HttpExchange x, int status, String why) throws IOException {
    refused.add(why);
    send(x, status, "text/plain", why);
  }

  private static String cookie(HttpExchange x, String name) {
    for (String header : x.getRequestHeaders().getOrDefault("Cookie", List.of())) {
      for (String c : header.split(";\\s*")) {
        if (c.startsWith(name + "=")) {
          return c.substring(name.length() + 1);
        }
      }
    }
    return null;
  }

  private static Map<String, String> params(String raw) {
    Map<String, String> m = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return m;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      m.put(k, eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return m;
  }

  private static void redirect(HttpExchange x, int status, String location) throws IOException {
    x.getResponseHeaders().add("Location", location);
    x.sendResponseHeaders(status, -1);
    x.close();
  }

  private static void send(HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", type);
    x.sendResponseHeaders(status, b.length);
    x.getResponseBody().write(b);
    x.close();
  }
}
