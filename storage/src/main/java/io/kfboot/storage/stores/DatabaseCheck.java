package io.kfboot.storage.stores;

import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.check.CheckResult;
import io.kfboot.components.stores.StoresConfig.Database;
import io.kfboot.core.ExitCategory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/**
 * Does against the external MySQL (or MariaDB) what Pipelines and Katib will do, before they run:
 * connect as configured (TLS or not), read the server's version, the account's authentication
 * plugin (MLMD, Pipelines' metadata store, speaks only mysql_native_password:
 * kubeflow/pipelines#9549, google/ml-metadata#178) and its grants, and check that each database
 * exists or may be created, and may then be used. Reads only: nothing is created or changed.
 */
public final class DatabaseCheck {
  /** What Pipelines' API server, MLMD and Katib's db-manager do to their databases. */
  static final Set<String> NEEDED =
      Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "INDEX", "DROP");

  private static final Pattern GRANT = Pattern.compile("(?i)^GRANT (.+?) ON (\\S+)\\.\\* TO .*$");
  private static final Pattern MYSQL_PLUGIN =
      Pattern.compile("(?i)IDENTIFIED WITH '?([a-z_0-9]+)'?");
  private static final Pattern MARIADB_PLUGIN = Pattern.compile("(?i)IDENTIFIED VIA ([a-z_0-9]+)");

  private final Duration timeout;

  public DatabaseCheck(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * @param nativePasswordOnly whether a client of this database (MLMD) needs mysql_native_password
   */
  public CheckResult check(Database db, SecretValues secrets, boolean nativePasswordOnly) {
    List<String> findings = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    String password = secrets.value(db.password(), db.passwordField());
    Properties props = new Properties();
    props.setProperty("user", db.user());
    props.setProperty("password", password);
    props.setProperty("connectTimeout", String.valueOf(timeout.toMillis()));
    props.setProperty("socketTimeout", String.valueOf(timeout.toMillis()));
    // the account's own plugin is what is checked; no RSA key exchange over plain connections
    props.setProperty("allowPublicKeyRetrieval", "false");
    String url = "jdbc:mysql://" + db.host() + ":" + db.port() + "/";
    Path trustDir = null;
    try {
      if (db.tls() && db.caFile() != null) {
        trustDir = Files.createTempDirectory("kfboot-db-trust");
        Path store = trustStore(db.caFile(), trustDir);
        props.setProperty("sslMode", "VERIFY_IDENTITY");
        props.setProperty("trustCertificateKeyStoreUrl", store.toUri().toString());
        props.setProperty("trustCertificateKeyStoreType", "PKCS12");
        props.setProperty("trustCertificateKeyStorePassword", STORE_PASSWORD);
      } else {
        props.setProperty("sslMode", db.tls() ? "REQUIRED" : "DISABLED");
        if (db.tls()) {
          warnings.add(
              "the server's certificate is not verified (the connection is encrypted): give"
                  + " caFile with the CA that signed it");
        }
      }
      return check(db, url, props, findings, warnings, nativePasswordOnly);
    } catch (IOException | GeneralSecurityException e) {
      return failed(
          db,
          findings,
          warnings,
          db.where()
              + ".caFile "
              + db.caFile()
              + " holds no usable CA certificate: "
              + e.getMessage(),
          "give the PEM certificate of the CA that signed the server's certificate",
          ExitCategory.INVALID_INPUT);
    } finally {
      deleteQuietly(trustDir);
    }
  }

  private CheckResult check(
      Database db,
      String url,
      Properties props,
      List<String> findings,
      List<String> warnings,
      boolean nativePasswordOnly) {
    try (Connection c = DriverManager.getConnection(url, props);
        Statement st = c.createStatement()) {
      String version = c.getMetaData().getDatabaseProductVersion();
      findings.add(
          "connected to "
              + db.host()
              + ":"
              + db.port()
              + " as "
              + db.user()
              + (db.tls()
                  ? db.caFile() != null ? " over TLS (certificate verified)" : " over TLS"
                  : " without TLS")
              + ", server "
              + version);
      if (!db.tls()) {
        warnings.add("tls: false: the password and the data cross the network in clear");
      }
      String plugin = plugin(st);
      findings.add("authentication plugin " + plugin);
      if (db.tls() && requiresTls(st)) {
        // kfboot's own check speaks TLS; upstream gives Pipelines' and Katib's clients no TLS
        // settings, so they connect as their drivers default
        warnings.add(
            "the server requires TLS of "
                + db.user()
                + ", and the clients (ml-pipeline, cache-server, MLMD, katib-db-manager) are given"
                + " no TLS settings: if they cannot connect, allow "
                + db.user()
                + " without TLS from the cluster's nodes (ALTER USER ... REQUIRE NONE)");
      }
      if (nativePasswordOnly && !plugin.equals("mysql_native_password")) {
        return failed(
            db,
            findings,
            warnings,
            db.where()
                + ".user: "
                + db.user()
                + " authenticates with "
                + plugin
                + ", but Pipelines' metadata server (MLMD) speaks only mysql_native_password"
                + " (kubeflow/pipelines#9549)",
            "ALTER USER '"
                + db.user()
                + "'@'%' IDENTIFIED WITH mysql_native_password BY '...' (MySQL 8.4: start the"
                + " server with --mysql-native-password=ON)",
            ExitCategory.INVALID_INPUT);
      }
      Map<String, Set<String>> grants = grants(st);
      for (Map.Entry<String, String> d : db.databases().entrySet()) {
        String name = d.getValue();
        boolean exists = exists(st, name);
        Set<String> privileges = privilegesOn(grants, name);
        Set<String> missing = new TreeSet<>(NEEDED);
        missing.removeAll(privileges);
        if (!exists && !privileges.contains("CREATE")) {
          return failed(
              db,
              findings,
              warnings,
              db.where()
                  + ".databases."
                  + d.getKey()
                  + ": database "
                  + name
                  + " does not exist, and "
                  + db.user()
                  + " may not create it",
              "CREATE DATABASE " + name + "; GRANT ALL ON " + name + ".* TO '" + db.user() + "'",
              ExitCategory.INVALID_INPUT);
        }
        if (!missing.isEmpty()) {
          return failed(
              db,
              findings,
              warnings,
              db.where()
                  + ".user: "
                  + db.user()
                  + " lacks "
                  + String.join(", ", missing)
                  + " on "
                  + name,
              "GRANT ALL ON " + name + ".* TO '" + db.user() + "'",
              ExitCategory.INVALID_INPUT);
        }
        findings.add(
            "database "
                + name
                + " ("
                + d.getKey()
                + ") "
                + (exists ? "exists" : "will be created")
                + ", and "
                + db.user()
                + " may use it");
      }
      return CheckResult.passed(db.where(), "mysql", findings, warnings);
    } catch (SQLException e) {
      if (!db.tls() && refused(e) && connectsWithTls(url, props)) {
        return failed(
            db,
            findings,
            warnings,
            db.where() + ".tls: the server refuses " + db.user() + " without TLS",
            "set " + db.where() + ".tls: true (and caFile with the server's CA)",
            ExitCategory.INVALID_INPUT);
      }
      return failure(db, findings, warnings, e);
    }
  }

  private static final String STORE_PASSWORD = "kfboot-trust";

  /** Whether a TLS handshake failed: the server speaks TLS, its certificate was not trusted. */
  private static boolean handshakeFailed(SQLException cause) {
    Throwable t = cause;
    while (t != null) {
      if (t instanceof SSLHandshakeException) {
        return true;
      }
      t = t.getCause();
    }
    return false;
  }

  private static boolean refused(SQLException e) {
    return e.getErrorCode() == 1045 || "28000".equals(e.getSQLState());
  }

  /**
   * Whether the same account gets in over TLS: an account that REQUIRE SSL is refused without it
   * exactly as with a wrong password (MySQL and MariaDB both answer 1045).
   */
  private static boolean connectsWithTls(String url, Properties props) {
    Properties tls = new Properties();
    tls.putAll(props);
    tls.setProperty("sslMode", "REQUIRED");
    try (Connection c = DriverManager.getConnection(url, tls)) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** A PKCS12 trust store holding the PEM file's certificates, 0600 in its own folder. */
  private static Path trustStore(Path pem, Path dir) throws IOException, GeneralSecurityException {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    int i = 0;
    try (InputStream in = Files.newInputStream(pem)) {
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca-" + i++, cert);
      }
    }
    if (i == 0) {
      throw new GeneralSecurityException("no certificate in it");
    }
    Path store = dir.resolve("trust.p12");
    try (OutputStream out = Files.newOutputStream(store)) {
      ks.store(out, STORE_PASSWORD.toCharArray());
    }
    return store;
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a temporary trust store of public certificates: nothing secret is left
    }
  }

  /** Whether the server or the account insists on TLS (require_secure_transport, REQUIRE ...). */
  static boolean requiresTls(Statement st) throws SQLException {
    try (ResultSet r = st.executeQuery("SHOW CREATE USER CURRENT_USER()")) {
      String create = r.next() ? r.getString(1).toUpperCase(Locale.ROOT) : "";
      if (REQUIRE_TLS.matcher(create).find()) {
        return true;
      }
    }
    try (ResultSet r = st.executeQuery("SHOW VARIABLES LIKE 'require_secure_transport'")) {
      return r.next() && "ON".equalsIgnoreCase(r.getString(2));
    }
  }

  private static final Pattern REQUIRE_TLS =
      Pattern.compile("REQUIRE\\s+(SSL|X509|ISSUER|SUBJECT|CIPHER)");

  /** The account's authentication plugin, as the server reports the account. */
  static String plugin(Statement st) throws SQLException {
    try (ResultSet r = st.executeQuery("SHOW CREATE USER CURRENT_USER()")) {
      String create = r.next() ? r.getString(1) : "";
      Matcher mysql = MYSQL_PLUGIN.matcher(create);
      if (mysql.find()) {
        return mysql.group(1).toLowerCase(Locale.ROOT);
      }
      Matcher maria = MARIADB_PLUGIN.matcher(create);
      if (maria.find()) {
        return maria.group(1).toLowerCase(Locale.ROOT);
      }
      // MariaDB writes a native password as IDENTIFIED BY PASSWORD '*...'
      return "mysql_native_password";
    }
  }

  /** The account's privileges by database pattern ("*" for all databases). */
  static Map<String, Set<String>> grants(Statement st) throws SQLException {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    try (ResultSet r = st.executeQuery("SHOW GRANTS FOR CURRENT_USER()")) {
      while (r.next()) {
        Matcher m = GRANT.matcher(r.getString(1));
        if (!m.matches()) {
          continue;
        }
        String on = m.group(2).replace("`", "");
        Set<String> privileges = out.computeIfAbsent(on, k -> new TreeSet<>());
        for (String p : m.group(1).split(",")) {
          String privilege = p.strip().toUpperCase(Locale.ROOT);
          if (privilege.startsWith("ALL")) {
            privileges.addAll(NEEDED);
          } else {
            privileges.add(privilege);
          }
        }
      }
    }
    return out;
  }

  /** What the grants allow on {@code database}: global ones and those whose pattern matches it. */
  static Set<String> privilegesOn(Map<String, Set<String>> grants, String database) {
    Set<String> out = new TreeSet<>();
    grants.forEach(
        (pattern, privileges) -> {
          if (pattern.equals("*") || matches(pattern, database)) {
            out.addAll(privileges);
          }
        });
    return out;
  }

  /** MySQL's database-level grant patterns: {@code _} one character, {@code %} any, {@code \_}. */
  static boolean matches(String pattern, String database) {
    StringBuilder re = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char ch = pattern.charAt(i);
      if (ch == '\\' && i + 1 < pattern.length()) {
        re.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
      } else if (ch == '%') {
        re.append(".*");
      } else if (ch == '_') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return database.matches(re.toString());
  }

  private static boolean exists(Statement st, String name) throws SQLException {
    try (PreparedStatement q =
        st.getConnection()
            .prepareStatement(
                "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")) {
      q.setString(1, name);
      try (ResultSet r = q.executeQuery()) {
        return r.next();
      }
    }
  }

  private static CheckResult failure(
      Database db, List<String> findings, List<String> warnings, SQLException e) {
    String message = String.valueOf(e.getMessage());
    String state = String.valueOf(e.getSQLState());
    if (message.contains("authentication plugin")) {
      return failed(
          db,
          findings,
          warnings,
          db.where()
              + ".user: the server asks "
              + db.user()
              + " for an authentication plugin the MySQL protocol's clients do not all speak ("
              + firstLine(message)
              + "); Pipelines' metadata server (MLMD) speaks only mysql_native_password",
          "ALTER USER '" + db.user() + "'@'%' IDENTIFIED WITH mysql_native_password BY '...'",
          ExitCategory.INVALID_INPUT);
    }
    if (e.getErrorCode() == 3159 || message.contains("insecure transport")) {
      return failed(
          db,
          findings,
          warnings,
          db.where() + ".tls: the server refuses connections without TLS",
          "set " + db.where() + ".tls: true",
          ExitCategory.INVALID_INPUT);
    }
    if (e.getErrorCode() == 1045 || state.equals("28000")) {
      return failed(
          db,
          findings,
          warnings,
          db.passwordField()
              + ": the server refused "
              + db.user()
              + " ("
              + firstLine(message).replaceAll("'[^']*'@'[^']*'", "the account")
              + ")",
          "check the password in "
              + db.passwordSource()
              + ", and that the account's host matches this machine and the cluster's nodes",
          ExitCategory.INVALID_INPUT);
    }
    if (state.startsWith("08")) {
      boolean handshake = handshakeFailed(e);
      boolean ssl = handshake || message.toLowerCase(Locale.ROOT).contains("ssl");
      if (handshake && db.caFile() != null) {
        return failed(
            db,
            findings,
            warnings,
            db.where()
                + ".caFile: the server's certificate is not signed by the CA in "
                + db.caFile()
                + " or does not name "
                + db.host(),
            "give the CA that signed the server's certificate (and a host name the certificate"
                + " names)",
            ExitCategory.INVALID_INPUT);
      }
      return failed(
          db,
          findings,
          warnings,
          ssl
              ? db.where()
                  + ".tls: no TLS connection to "
                  + db.host()
                  + ":"
                  + db.port()
                  + " ("
                  + firstLine(message)
                  + ")"
              : db.where()
                  + ".host: cannot reach "
                  + db.host()
                  + ":"
                  + db.port()
                  + " ("
                  + firstLine(message)
                  + ")",
          ssl
              ? "enable TLS on the server, or set " + db.where() + ".tls: false"
              : "check host and port, and that this machine reaches the server (the cluster's"
                  + " nodes must too)",
          ssl ? ExitCategory.INVALID_INPUT : ExitCategory.NETWORK);
    }
    return failed(
        db,
        findings,
        warnings,
        db.where() + ": the server answered " + firstLine(message),
        "check the server and the account",
        ExitCategory.INVALID_INPUT);
  }

  private static String firstLine(String s) {
    return s.lines().findFirst().orElse("");
  }

  private static CheckResult failed(
      Database db,
      List<String> findings,
      List<String> warnings,
      String problem,
      String fix,
      ExitCategory category) {
    return CheckResult.failed(db.where(), "mysql", findings, warnings, problem, fix, category);
  }
}
