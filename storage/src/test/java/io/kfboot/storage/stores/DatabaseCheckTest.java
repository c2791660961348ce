package io.kfboot.storage.stores;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.components.auth.SecretRef;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.check.CheckResult;
import io.kfboot.components.stores.StoresConfig;
import io.kfboot.components.stores.StoresConfig.Database;
import io.kfboot.components.testing.MariaDb;
import io.kfboot.core.ExitCategory;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database preflight against a real MariaDB server started by the test. */
class DatabaseCheckTest {
  @TempDir static Path dir;
  static MariaDb db;
  static final DatabaseCheck CHECK = new DatabaseCheck(Duration.ofSeconds(20));
  static final String PW = "kfp-Pa55-word";

  @BeforeAll
  static void start() throws Exception {
    db = MariaDb.start(dir, "root-Pa55");
    db.sql(
        "CREATE DATABASE mlpipeline; CREATE DATABASE cachedb; CREATE DATABASE metadb;"
            + " CREATE USER 'kfp'@'127.0.0.1' IDENTIFIED BY '"
            + PW
            + "';"
            + " GRANT ALL ON mlpipeline.* TO 'kfp'@'127.0.0.1';"
            + " GRANT ALL ON cachedb.* TO 'kfp'@'127.0.0.1';"
            + " GRANT ALL ON metadb.* TO 'kfp'@'127.0.0.1';"
            + " CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY '"
            + PW
            + "';"
            + " GRANT SELECT ON mlpipeline.* TO 'reader'@'127.0.0.1';"
            + " GRANT SELECT ON cachedb.* TO 'reader'@'127.0.0.1';"
            + " GRANT SELECT ON metadb.* TO 'reader'@'127.0.0.1';"
            + " CREATE USER 'katib'@'127.0.0.1' IDENTIFIED BY '"
            + PW
            + "';"
            + " GRANT ALL ON `katib\\_%`.* TO 'katib'@'127.0.0.1';"
            + " CREATE USER 'creator'@'127.0.0.1' IDENTIFIED BY '"
            + PW
            + "';"
            + " GRANT ALL ON *.* TO 'creator'@'127.0.0.1';");
  }

  @AfterAll
  static void stop() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  static Database database(String user, int port, Map<String, String> names) {
    return new Database(
        "pipelines.database.external",
        "127.0.0.1",
        port,
        false,
        null,
        user,
        SecretRef.ofEnv("KFP_DB_PASSWORD"),
        null,
        names);
  }

  static CheckResult check(String user, String password, Map<String, String> names) {
    return CHECK.check(
        database(user, db.port, names),
        SecretValues.from(Map.of("KFP_DB_PASSWORD", password)),
        true);
  }

  @Test
  void theRightAccountPassesAndSaysWhatItSaw() {
    CheckResult r = check("kfp", PW, StoresConfig.PIPELINES_DATABASES);
    assertThat(r.passed()).as(String.valueOf(r.problem())).isTrue();
    assertThat(r.findings())
        .anyMatch(f -> f.startsWith("connected to 127.0.0.1:" + db.port + " as kfp without TLS"))
        .anyMatch(f -> f.contains("MariaDB"))
        .contains("authentication plugin mysql_native_password")
        .anyMatch(f -> f.startsWith("database metadb (metadata) exists"));
    assertThat(r.warnings()).anyMatch(w -> w.startsWith("tls: false"));
    assertThat(String.join("\n", r.findings())).doesNotContain(PW);
  }

  @Test
  void aDatabaseThatIsMissingMayBeCreatedByAnAccountWithCreate() {
    CheckResult r = check("creator", PW, Map.of("katib", "katib"));
    assertThat(r.passed()).as(String.valueOf(r.problem())).isTrue();
    assertThat(r.findings())
        .contains("database katib (katib) will be created, and creator may use it");
  }

  @Test
  void aWrongPasswordNamesThePasswordsSourceNotItsValue() {
    CheckResult r = check("kfp", "not-the-password", StoresConfig.PIPELINES_DATABASES);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .startsWith("pipelines.database.external.passwordRef: the server refused kfp")
        .doesNotContain("not-the-password");
    assertThat(r.fix()).contains("environment variable KFP_DB_PASSWORD");
    assertThat(r.category()).isEqualTo(ExitCategory.INVALID_INPUT);
  }

  @Test
  void aMissingPrivilegeIsNamedWithTheGrantThatFixesIt() {
    CheckResult r = check("reader", PW, StoresConfig.PIPELINES_DATABASES);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .contains("reader lacks ALTER, CREATE, DELETE, DROP, INDEX, INSERT, UPDATE on");
    assertThat(r.fix()).startsWith("GRANT ALL ON ");
  }

  @Test
  void anUnknownDatabaseTheAccountMayNotCreateIsRefused() {
    // katib may use katib_* only (a pattern grant), so 'katib' itself is out of reach
    CheckResult allowed = check("katib", PW, Map.of("katib", "katib_lab"));
    assertThat(allowed.passed()).as(String.valueOf(allowed.problem())).isTrue();
    CheckResult r = check("katib", PW, Map.of("katib", "katib"));
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .isEqualTo(
            "pipelines.database.external.databases.katib: database katib does not exist, and"
                + " katib may not create it");
  }

  @Test
  void anAccountOfAnotherPluginIsRefusedForPipelinesMetadata() throws Exception {
    db.sql(
        "INSTALL SONAME 'auth_ed25519';"
            + " CREATE USER 'ed'@'127.0.0.1' IDENTIFIED VIA ed25519 USING PASSWORD('"
            + PW
            + "');"
            + " GRANT ALL ON *.* TO 'ed'@'127.0.0.1';");
    CheckResult r = check("ed", PW, StoresConfig.PIPELINES_DATABASES);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .startsWith("pipelines.database.external.user:")
        .contains("mysql_native_password");
    assertThat(r.fix()).contains("IDENTIFIED WITH mysql_native_password");
  }

  @Test
  void anUnreachableServerIsANetworkError() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    CheckResult r =
        CHECK.check(
            database("kfp", closed, StoresConfig.PIPELINES_DATABASES),
            SecretValues.from(Map.of("KFP_DB_PASSWORD", PW)),
            true);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .startsWith("pipelines.database.external.host: cannot reach 127.0.0.1:" + closed);
    assertThat(r.category()).isEqualTo(ExitCategory.NETWORK);
  }

  @Test
  void tlsAgainstAServerWithoutItIsNamedWithBothWaysOut() {
    Database tls =
        new Database(
            "pipelines.database.external",
            "127.0.0.1",
            db.port,
            true,
            null,
            "kfp",
            SecretRef.ofEnv("KFP_DB_PASSWORD"),
            null,
            StoresConfig.PIPELINES_DATABASES);
    CheckResult r = CHECK.check(tls, SecretValues.from(Map.of("KFP_DB_PASSWORD", PW)), true);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem()).startsWith("pipelines.database.external.tls: no TLS connection");
    assertThat(r.fix()).contains("enable TLS on the server").contains("tls: false");
  }

  @Test
  void grantPatternsMatchAsMysqlDoes() {
    assertThat(DatabaseCheck.matches("katib\\_%", "katib_lab")).isTrue();
    assertThat(DatabaseCheck.matches("katib\\_%", "katibXlab")).isFalse();
    assertThat(DatabaseCheck.matches("kfp_", "kfp1")).isTrue();
    assertThat(DatabaseCheck.matches("mlpipeline", "mlpipeline2")).isFalse();
  }
}
