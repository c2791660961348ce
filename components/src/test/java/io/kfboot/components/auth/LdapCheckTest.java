package io.kfboot.components.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.components.check.CheckResult;
import io.kfboot.components.testing.Slapd;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kfboot auth check} for LDAP, against a real OpenLDAP slapd. */
class LdapCheckTest {
  @TempDir static Path dir;
  static Slapd slapd;

  static final SecretValues GOOD = SecretValues.from(Map.of("LDAP_BIND_PW", Slapd.BIND_PW));
  static final LdapCheck CHECK = new LdapCheck(Duration.ofSeconds(20));

  @BeforeAll
  static void start() throws Exception {
    slapd = Slapd.start(dir);
  }

  @AfterAll
  static void stop() throws Exception {
    if (slapd != null) {
      slapd.close();
    }
  }

  /** The connector as a person writes it in the inventory, with {@code extra} lines in config. */
  static Connector ldap(String host, String userBase, String emailAttr, String extra, boolean ca) {
    String text =
        "auth:\n"
            + "  connectors:\n"
            + "    - type: ldap\n"
            + "      id: corp\n"
            + (ca ? "      rootCAFile: " + slapd.caFile + "\n" : "")
            + "      config:\n"
            + "        host: "
            + host
            + "\n"
            + "        bindDN: "
            + Slapd.BIND_DN
            + "\n"
            + "        bindPW: {env: LDAP_BIND_PW}\n"
            + extra
            + Slapd.searchYaml(userBase, emailAttr);
    return AuthConfigReaderTest.parse(text).auth().connectors().get(0);
  }

  static String people() {
    return "ou=people," + Slapd.BASE;
  }

  static String ldaps() {
    return "127.0.0.1:" + slapd.ldapsPort;
  }

  @Test
  void ldapsWithTheCaBindsAndFindsTheUsersAndGroups() {
    CheckResult r = CHECK.check(ldap(ldaps(), people(), "mail", "", true), GOOD, null);

    assertThat(r.passed()).as(String.valueOf(r.problem())).isTrue();
    assertThat(r.findings())
        .anyMatch(f -> f.contains("(LDAPS), bound as " + Slapd.BIND_DN))
        .anyMatch(
            f ->
                f.startsWith("3 users under " + people())
                    && f.contains("alice <alice@lab.example>"))
        .anyMatch(f -> f.startsWith("2 groups under ou=groups") && f.contains("ml-team"));
    assertThat(r.warnings()).anyMatch(w -> w.startsWith("1 of the users found have no mail"));
    assertThat(String.join("\n", r.findings())).doesNotContain(Slapd.BIND_PW);
  }

  @Test
  void groupMembersAreReadBackToTheirEmailsAsDexSeesThem() {
    Map<String, List<String>> groups =
        CHECK.groupMembers(
            ldap(ldaps(), people(), "mail", "", true),
            GOOD,
            List.of("ml-team", "admins", "nobody"));
    assertThat(groups)
        .as("a group the directory lacks is left out")
        .containsExactly(
            Map.entry("admins", List.of("alice@lab.example")),
            Map.entry("ml-team", List.of("alice@lab.example", "bob@lab.example")));
  }

  @Test
  void groupMembersOverStartTlsAndAWrongPasswordIsAnErrorNamingTheField() {
    Connector startTls =
        ldap("127.0.0.1:" + slapd.ldapPort, people(), "mail", "        startTLS: true\n", true);
    assertThat(CHECK.groupMembers(startTls, GOOD, List.of("admins")))
        .containsEntry("admins", List.of("alice@lab.example"));
    assertThatThrownBy(
            () ->
                CHECK.groupMembers(
                    ldap(ldaps(), people(), "mail", "", true),
                    SecretValues.from(Map.of("LDAP_BIND_PW", "nope")),
                    List.of("admins")))
        .isInstanceOf(KfbootException.class)
        .hasMessageContaining("auth.connectors[corp].config.bindPW: the server refused the bind")
        .satisfies(
            e ->
                assertThat(((KfbootException) e).category()).isEqualTo(ExitCategory.INVALID_INPUT));
  }

  @Test
  void startTlsOnThePlainPortWorksToo() {
    CheckResult r =
        CHECK.check(
            ldap("127.0.0.1:" + slapd.ldapPort, people(), "mail", "        startTLS: true\n", true),
            GOOD,
            "alice");
    assertThat(r.passed()).as(String.valueOf(r.problem())).isTrue();
    assertThat(r.findings())
        .anyMatch(f -> f.contains("(StartTLS)"))
        .anyMatch(f -> f.startsWith("1 user under") && f.contains("alice"));
  }

  @Test
  void aWrongBindPasswordNamesTheFieldAndWhereThePasswordComesFrom() {
    CheckResult r =
        CHECK.check(
            ldap(ldaps(), people(), "mail", "", true),
            SecretValues.from(Map.of("LDAP_BIND_PW", "not-the-password")),
            null);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .isEqualTo(
            "auth.connectors[corp].config.bindPW: the server refused the bind as "
                + Slapd.BIND_DN
                + " (invalid credentials)");
    assertThat(r.fix())
        .contains("environment variable LDAP_BIND_PW")
        .doesNotContain("not-the-password");
    assertThat(r.category()).isEqualTo(ExitCategory.INVALID_INPUT);
  }

  @Test
  void aWrongBaseDnIsNamedWithTheServersNamingContexts() {
    CheckResult r =
        CHECK.check(ldap(ldaps(), "ou=staff," + Slapd.BASE, "mail", "", true), GOOD, null);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .isEqualTo(
            "auth.connectors[corp].config.userSearch.baseDN 'ou=staff,"
                + Slapd.BASE
                + "' does not exist on the server");
    assertThat(r.fix()).endsWith(": " + Slapd.BASE);
  }

  @Test
  void anUnreachableServerIsANetworkProblem() throws Exception {
    CheckResult r =
        CHECK.check(ldap("127.0.0.1:" + Slapd.freePort(), people(), "mail", "", true), GOOD, null);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .startsWith(
            "auth.connectors[corp].config.host: cannot reach the LDAP server at ldaps://127.0.0.1:")
        .endsWith("(connection refused)");
    assertThat(r.category()).isEqualTo(ExitCategory.NETWORK);
  }

  @Test
  void anUntrustedCertificateAsksForTheCa() {
    CheckResult r = CHECK.check(ldap(ldaps(), people(), "mail", "", false), GOOD, null);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .startsWith("auth.connectors[corp].config.host: TLS to ldaps://" + ldaps() + " failed:");
    assertThat(r.fix()).startsWith("give rootCAFile");
  }

  @Test
  void ldapsToThePlainPortSaysSo() {
    CheckResult r =
        CHECK.check(ldap("127.0.0.1:" + slapd.ldapPort, people(), "mail", "", true), GOOD, null);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem()).contains("TLS to ldaps://127.0.0.1:" + slapd.ldapPort + " failed");
    assertThat(r.fix())
        .as(r.problem())
        .startsWith("that port speaks plain LDAP: set startTLS: true");
  }

  @Test
  void anEmailAttributeNoUserHasFailsBeforeDexWouldRefuseEveryLogin() {
    CheckResult r = CHECK.check(ldap(ldaps(), people(), "email", "", true), GOOD, null);
    assertThat(r.passed()).isFalse();
    assertThat(r.problem())
        .isEqualTo(
            "auth.connectors[corp].config.userSearch.emailAttr 'email': none of the users found has"
                + " it, and Dex refuses a login without an e-mail");
  }

  @Test
  void aUserWhoIsNotThereIsReported() {
    CheckResult r = CHECK.check(ldap(ldaps(), people(), "mail", "", true), GOOD, "mallory");
    assertThat(r.passed()).isFalse();
    assertThat(r.problem()).contains("finds no user mallory");
  }
}
