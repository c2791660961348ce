package io.kfboot.components.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.kfboot.components.access.AccessConfig;
import io.kfboot.components.access.AccessConfigLoader;
import io.kfboot.core.KfbootException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthConfigReaderTest {
  static final String TEAM =
      """
      cluster: lab
      hosts: []
      auth:
        users:
          - email: alice@example.org
          - email: bob@example.org
            hash: "$2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72"
        connectors:
          - type: ldap
            id: corp
            name: Corporate LDAP
            config:
              host: ldap.lab.example:636
              insecureNoSSL: false
              bindDN: cn=kubeflow,ou=services,dc=lab,dc=example
              bindPW: {env: LDAP_BIND_PW}
              userSearch:
                baseDN: ou=people,dc=lab,dc=example
                filter: (objectClass=inetOrgPerson)
                username: uid
                idAttr: uid
                emailAttr: mail
                nameAttr: cn
              groupSearch:
                baseDN: ou=groups,dc=lab,dc=example
                filter: (objectClass=groupOfNames)
                userMatchers:
                  - userAttr: DN
                    groupAttr: member
                nameAttr: cn
          - type: oidc
            id: keycloak
            config:
              issuer: https://keycloak.lab.example/realms/kubeflow
              clientID: kubeflow-oidc-authservice
              clientSecret: {file: keycloak.secret}
              scopes: [openid, profile, email, groups]
              insecureEnableGroups: true
      """;

  static AccessConfig parse(String text) {
    return AccessConfigLoader.parse(text, "inventory.yaml", Path.of("/srv/kfboot"));
  }

  @Test
  void aTeamsAuthIsReadWithItsSecretsAsReferencesOnly() {
    AuthConfig auth = parse(TEAM).auth();

    assertThat(auth.users())
        .extracting(StaticUser::email, StaticUser::generated)
        .containsExactly(tuple("alice@example.org", true), tuple("bob@example.org", false));
    Connector ldap = auth.connector("corp").orElseThrow();
    assertThat(ldap.type()).isEqualTo("ldap");
    assertThat(ldap.name()).isEqualTo("Corporate LDAP");
    assertThat(ldap.config()).doesNotContainKey("bindPW").containsEntry("insecureNoSSL", false);
    assertThat(ldap.secrets())
        .containsExactly(Map.entry("bindPW", SecretRef.ofEnv("LDAP_BIND_PW")));
    assertThat(ldap.section("userSearch")).containsEntry("emailAttr", "mail");
    Connector oidc = auth.connector("keycloak").orElseThrow();
    assertThat(oidc.name()).as("the type's default name").isEqualTo("Single sign-on");
    assertThat(oidc.secrets().get("clientSecret"))
        .as("relative to the inventory's folder")
        .isEqualTo(SecretRef.ofFile(Path.of("/srv/kfboot/keycloak.secret")));
    assertThat(auth.issuerFor(Optional.empty())).isEqualTo(AuthConfig.IN_CLUSTER_ISSUER);
    assertThat(auth.issuerFor(Optional.of(URI.create("https://kf.lab:8443"))))
        .isEqualTo("https://kf.lab:8443/dex");
  }

  @Test
  void noAuthSectionKeepsTodaysSingleAdmin() {
    assertThat(parse("cluster: lab\n").auth()).isEqualTo(AuthConfig.DEFAULTS);
  }

  @Test
  void everyMistakeIsNamedWithItsLineAndFix() {
    String bad =
        """
        auth:
          issuer: https://kf.lab.example/login
          users:
            - email: Alice@Example.org
            - email: carol@example.org
              hash: "12341234"
            - email: carol@example.org
          connectors:
            - type: ldap
              id: corp
              config:
                host: ldap.lab:389
                bindDN: cn=admin,dc=lab
                bindPW: hunter2
                userSearch:
                  baseDN: ou=people,dc=lab
                  username: uid
                groupSearch:
                  baseDN: ou=groups,dc=lab
                  userAttr: DN
                  groupAttr: member
                  nameAttr: cn
            - type: oidc
              id: corp
              config:
                issuer: https://idp.lab
                clientID: kf
                clientSecret: {env: IDP_SECRET}
                redirectURI: https://kf.lab/dex/callback
                scopes: [openid, groups]
                claimMapping: {email: $mail}
            - type: github
              config:
                clientID: {env: GH_ID}
                clientSecret: {env: GH_SECRET}
                org: kubeflow
                orgs: [{name: kubeflow}]
            - type: saml
              config: {}
            - type: microsoft
              rootCAFile: corp-ca.pem
              config:
                clientID: {env: MS_ID}
                clientSecret: {env: MS_SECRET}
        """;
    assertThatThrownBy(() -> parse(bad))
        .isInstanceOf(KfbootException.class)
        .satisfies(
            e -> {
              String m = e.getMessage();
              assertThat(m)
                  .contains("line 2: auth.issuer 'https://kf.lab.example/login' must end in /dex")
                  .contains("line 4: auth.users: 'Alice@Example.org' has upper-case letters")
                  .contains("line 6: auth.users[carol@example.org].hash is no bcrypt hash")
                  .contains("line 7: auth.users: carol@example.org is listed twice")
                  .contains(
                      "line 14: auth.connectors[corp].config.bindPW is a secret and may not be"
                          + " written inline; give it as {env: VARIABLE} or {file: PATH}")
                  .contains("auth.connectors[corp].config.userSearch.emailAttr is missing")
                  .contains("groupSearch uses userAttr/groupAttr, the form Dex replaced")
                  .contains("auth.connectors: id 'corp' is used twice")
                  .contains("redirectURI is set by kfboot")
                  .contains("scopes asks for groups, which Dex drops unless insecureEnableGroups")
                  .contains("auth.connectors[github].config sets both org and orgs")
                  .contains("line 31: auth.connectors[corp].config.claimMapping contains '$'")
                  .doesNotContain("bindPW is missing")
                  .contains("type 'saml' is not one kfboot configures; use one of github, ldap,")
                  .contains(
                      "line 41: auth.connectors[microsoft].rootCAFile: Dex's microsoft connector"
                          + " takes no CA")
                  .doesNotContain("hunter2");
              assertThat(((KfbootException) e).fix()).contains("docs/identity.md");
            });
  }

  @Test
  void aDollarInAnInlineValueIsRefusedBecauseDexWouldExpandIt() {
    String text =
        """
        auth:
          connectors:
            - type: oidc
              config:
                issuer: https://idp.lab
                clientID: kf$prod
                clientSecret: {env: S}
        """;
    assertThatThrownBy(() -> parse(text))
        .hasMessageContaining(
            "line 6: auth.connectors[oidc].config.clientID contains '$', which Dex would expand");
  }
}
