package io.kfboot.components.testing;

import io.kfboot.testing.Need;
import io.kfboot.testing.Skips;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OpenLDAP slapd for a test: its own config, database and TLS certificate under the test's
 * temp folder, plain LDAP (with StartTLS) and LDAPS on loopback ports, and a small directory:
 * people alice, bob and carol (carol without mail) under ou=people, groups ml-team and admins under
 * ou=groups, and the service account kfboot binds as. Anonymous users may not search.
 */
public final class Slapd implements AutoCloseable {
  public static final String BASE = "dc=lab,dc=example";
  public static final String BIND_DN = "cn=kubeflow,ou=services," + BASE;
  public static final String BIND_PW = "bind-Pw.4r7";

  public final int ldapPort;
  public final int ldapsPort;

  /** The self-signed CA certificate the server's certificate (for 127.0.0.1, localhost) is. */
  public final Path caFile;

  private final Process server;

  private Slapd(int ldapPort, int ldapsPort, Path caFile, Process server) {
    this.ldapPort = ldapPort;
    this.ldapsPort = ldapsPort;
    this.caFile = caFile;
    this.server = server;
  }

  public static Slapd start(Path dir) throws Exception {
    Skips.require(Need.SLAPD);
    Path db = Files.createDirectories(dir.resolve("db"));
    Path cert = dir.resolve("server.pem");
    Path key = dir.resolve("server.key");
    SelfSignedPem.make(cert, key, "localhost", "DNS:localhost,IP:127.0.0.1");
    Path conf = dir.resolve("slapd.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "include /etc/ldap/schema/core.schema",
            "include /etc/ldap/schema/cosine.schema",
            "include /etc/ldap/schema/inetorgperson.schema",
            "include /etc/ldap/schema/nis.schema",
            "modulepath /usr/lib/ldap",
            "moduleload back_mdb",
            "pidfile " + dir.resolve("slapd.pid"),
            "TLSCertificateFile " + cert,
            "TLSCertificateKeyFile " + key,
            "access to dn.base=\"\" by * read",
            "access to attrs=userPassword by self write by anonymous auth by * none",
            "access to * by users read by * none",
            "database mdb",
            "maxsize 10485760",
            "suffix \"" + BASE + "\"",
            "rootdn \"cn=admin," + BASE + "\"",
            "rootpw admin-not-used",
            "directory " + db,
            ""));
    Path ldif = dir.resolve("data.ldif");
    Files.writeString(ldif, directory());
    run(
        List.of("/usr/sbin/slapadd", "-f", conf.toString(), "-l", ldif.toString()),
        dir.resolve("slapadd.log"));
    int ldap = freePort();
    int ldaps = freePort();
    Process server =
        new ProcessBuilder(
                "/usr/sbin/slapd",
                "-f",
                conf.toString(),
                "-h",
                "ldap://127.0.0.1:" + ldap + "/ ldaps://127.0.0.1:" + ldaps + "/",
                "-d",
                "0")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("slapd.log").toFile())
            .start();
    Slapd slapd = new Slapd(ldap, ldaps, cert, server);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (!listens(ldap) || !listens(ldaps)) {
      if (!server.isAlive() || System.nanoTime() > deadline) {
        slapd.close();
        throw new IllegalStateException(
            "slapd did not start: " + Files.readString(dir.resolve("slapd.log")));
      }
      Thread.sleep(50);
    }
    return slapd;
  }

  /**
   * The userSearch and groupSearch of a Dex ldap connector for this directory, as inventory lines
   * under {@code config:} (eight spaces in).
   */
  public static String searchYaml(String userBase, String emailAttr) {
    return "        userSearch:\n"
        + "          baseDN: "
        + userBase
        + "\n"
        + "          filter: (objectClass=inetOrgPerson)\n"
        + "          username: uid\n"
        + "          idAttr: uid\n"
        + "          emailAttr: "
        + emailAttr
        + "\n"
        + "          nameAttr: cn\n"
        + "        groupSearch:\n"
        + "          baseDN: ou=groups,"
        + BASE
        + "\n"
        + "          filter: (objectClass=groupOfNames)\n"
        + "          userMatchers: [{userAttr: DN, groupAttr: member}]\n"
        + "          nameAttr: cn\n";
  }

  /**
   * An inventory's LDAPS connector {@code corp} for this server, as an entry of auth.connectors
   * (four spaces in), trusting its CA and binding with {@code {env: LDAP_BIND_PW}}.
   */
  public String connectorYaml() {
    return "    - type: ldap\n"
        + "      id: corp\n"
        + "      name: Lab directory\n"
        + "      rootCAFile: "
        + caFile
        + "\n"
        + "      config:\n"
        + "        host: 127.0.0.1:"
        + ldapsPort
        + "\n"
        + "        bindDN: "
        + BIND_DN
        + "\n"
        + "        bindPW: {env: LDAP_BIND_PW}\n"
        + searchYaml("ou=people," + BASE, "mail");
  }

  /** A port nothing listens on (for the unreachable-server case). */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static boolean listens(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String directory() {
    return String.join(
        "\n",
        "dn: " + BASE,
        "objectClass: dcObject",
        "objectClass: organization",
        "o: Lab",
        "dc: lab",
        "",
        "dn: ou=people," + BASE,
        "objectClass: organizationalUnit",
        "ou: people",
        "",
        "dn: ou=groups," + BASE,
        "objectClass: organizationalUnit",
        "ou: groups",
        "",
        "dn: ou=services," + BASE,
        "objectClass: organizationalUnit",
        "ou: services",
        "",
        "dn: " + BIND_DN,
        "objectClass: organizationalRole",
        "objectClass: simpleSecurityObject",
        "cn: kubeflow",
        "userPassword: " + BIND_PW,
        "",
        person("alice", "alice@lab.example"),
        person("bob", "bob@lab.example"),
        person("carol", null),
        "dn: cn=ml-team,ou=groups," + BASE,
        "objectClass: groupOfNames",
        "cn: ml-team",
        "member: uid=alice,ou=people," + BASE,
        "member: uid=bob,ou=people," + BASE,
        "",
        "dn: cn=admins,ou=groups," + BASE,
        "objectClass: groupOfNames",
        "cn: admins",
        "member: uid=alice,ou=people," + BASE,
        "");
  }

  private static String person(String uid, String mail) {
    return String.join(
        "\n",
        "dn: uid=" + uid + ",ou=people," + BASE,
        "objectClass: inetOrgPerson",
        "uid: " + uid,
        "cn: " + uid,
        "sn: " + uid,
        mail == null ? "description: no mail" : "mail: " + mail,
        "userPassword: " + uid + "-pw",
        "",
        "");
  }

  private static void run(List<String> command, Path log) throws Exception {
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(log));
    }
  }

  @Override
  public void close() throws Exception {
    server.destroy();
    if (!server.waitFor(30, TimeUnit.SECONDS)) {
      server.destroyForcibly();
    }
  }
}
