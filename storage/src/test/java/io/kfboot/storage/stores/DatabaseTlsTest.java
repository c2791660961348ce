package io.kfboot.storage.stores;

import static org.assertj.core.api.Assertions.assertThat;

import io.kfboot.components.auth.SecretRef;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.check.CheckResult;
import io.kfboot.components.stores.StoresConfig;
import io.kfboot.components.stores.StoresConfig.Database;
import io.kfboot.components.testing.MariaDb;
import io.kfboot.verify.http.TestTls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The database preflight over TLS, against a real MariaDB with a certificate of its own. */
class DatabaseTlsTest {
  @TempDir static Path dir;
  static MariaDb db;
  static final DatabaseCheck CHECK = new DatabaseCheck(Duration.ofSeconds(20));
  static final String PW = "kfp-Pa55-word";
  static final SecretValues SECRETS = SecretValues.from(Map.of("KFP_DB_PASSWORD", PW));

  @BeforeAll
  static void start() throws Exception {
    db = MariaDb.startWithTls(Files.createDirectories(dir.resolve("tls-db")), "root-Pa55");
    db.sql(
        "CREATE USER 'kfp'@'127.0.0.1' IDENTIFIED BY '"
            + PW
            + "' REQUIRE SSL;"
            + " GRANT ALL ON *.* TO 'kfp'@'127.0.0.1';"
            + " CREATE USER 'kfpopen'@'127.0.0.1' IDENTIFIED BY '"
            + PW
            + "'; GRANT ALL ON *.* TO 'kfpopen'@'127.0.0.1';");
  }

  @AfterAll
  static void stop() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  static Database database(boolean tls, Path ca) {
    return database(tls, ca, "kfp");
  }

  static Database database(boolean tls, Path ca, String user) {
    return new Database(
        "pipelines.database.external",
        "127.0.0.1",
        db.port,
        tls,
        ca,
        user,
        SecretRef.ofEnv("KFP_DB_PASSWORD"),
        null,
        StoresConfig.PIPELINES_DATABASES);
  }

  @Test
  void theServersCaVerifiesItsCertificate() {
    CheckResult r = CHECK.check(database(true, db.caFile, "kfpopen"), SECRETS, true);
    assertThat(r.passed()).as(String.valueOf(r.problem())).isTrue();
    assertThat(r.findings()).anyMatch(f -> f.contains("over TLS (certificate verified)"));
    assertThat(r.warnings()).isEmpty();
  }

  @Test
  void anAccountThatRequiresTlsWarnsThatTheClientsAreGivenNone() {
    CheckResult r = CHECK.check(database(true, db.caFile), SECRETS, true);
    assertThat(r.passed()).as(String.valueOf(r.problem())).isTrue();
    assertThat(r.warnings())
        .singleElement()
        .satisfies(
            w ->
                assertThat(w)
                    .startsWith("the server requires TLS of kfp")
                    .contains("ALTER USER ... REQUIRE NONE"));
  }

  @Test
  void withoutACaTheConnectionIsEncryptedAndTheWarningSaysWhatIsMissing() {
    CheckResult r = CHECK.check(database(true, null), SECRETS, true);
    assertThat(r.passed()).as(String.valueOf(r.problem())).isTrue();
    assertThat(r.warnings())
        .anyMatch(w -> w.startsWith("the server's certificate is not verified"));
  }

  @Test
  void anAccountThatRequiresTlsIsNamedWhenTlsIsOff() {
    CheckResult r = CHECK.check(database(false, null), SECRETS, true);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .isEqualTo("pipelines.database.external.tls: the server refuses kfp without TLS");
    assertThat(r.fix()).startsWith("set pipelines.database.external.tls: true");
  }

  @Test
  void anotherCaIsRefusedNamingCaFile() throws Exception {
    TestTls other =
        TestTls.make(Files.createDirectories(dir.resolve("other")), "other", "ip:127.0.0.1");
    CheckResult r = CHECK.check(database(true, other.pem()), SECRETS, true);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .startsWith("pipelines.database.external.caFile: the server's certificate");
  }
}
