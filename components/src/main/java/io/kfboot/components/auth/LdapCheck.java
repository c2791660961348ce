package io.kfboot.components.auth;

import io.kfboot.components.check.CheckResult;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.Trees;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.naming.AuthenticationException;
import javax.naming.CommunicationException;
import javax.naming.Context;
import javax.naming.InvalidNameException;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.NoPermissionException;
import javax.naming.SizeLimitExceededException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.InvalidSearchFilterException;
import javax.naming.directory.SearchControls;
import javax.naming.directory.SearchResult;
import javax.naming.ldap.InitialLdapContext;
import javax.naming.ldap.LdapContext;
import javax.naming.ldap.StartTlsRequest;
import javax.naming.ldap.StartTlsResponse;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocketFactory;

/**
 * Does against the real LDAP server what Dex's ldap connector will do, before Dex runs
 * (https://dexidp.io/docs/connectors/ldap/): connect as configured (LDAPS by default, StartTLS, or
 * plain with insecureNoSSL), bind with bindDN and bindPW, search the users under userSearch.baseDN
 * with its filter, check they carry the e-mail attribute, and search the groups. JNDI, the JDK's
 * own LDAP client. Every failure names the config field it is about and the fix.
 */
public final class LdapCheck {
  private static final int SAMPLE = 3;
  private static final long LIMIT = 1000;

  private final Duration timeout;

  public LdapCheck(Duration timeout) {
    this.timeout = timeout;
  }

  /**
   * @param user a username to look up as Dex does at login (userSearch.username = user), or null
   */
  public CheckResult check(Connector c, SecretValues secrets, String user) {
    List<String> findings = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    boolean plain = Boolean.TRUE.equals(c.get("insecureNoSSL"));
    if (plain) {
      warnings.add(
          "insecureNoSSL: users' passwords cross the network in clear; use LDAPS (port 636) or"
              + " startTLS: true");
    }
    if (Boolean.TRUE.equals(c.get("insecureSkipVerify"))) {
      warnings.add("insecureSkipVerify: the server's certificate is not checked; give rootCAFile");
    }
    String where = c.where() + ".config";
    Session session = new Session(c, secrets);
    String url = session.url;
    String bindDn = session.bindDn;
    boolean startTls = session.startTls;
    try {
      session.open();
      LdapContext ctx = session.ctx;
      findings.add(
          "connected to "
              + url
              + (plain ? " (no TLS)" : startTls ? " (StartTLS)" : " (LDAPS)")
              + (bindDn == null ? ", anonymously" : ", bound as " + bindDn));
      session.stage = "users";
      Map<String, Object> userSearch = c.section("userSearch");
      String usernameAttr = String.valueOf(userSearch.get("username"));
      String emailAttr = String.valueOf(userSearch.get("emailAttr"));
      String filter =
          and(
              userSearch.get("filter"),
              "(" + usernameAttr + "=" + (user == null ? "*" : escape(user)) + ")");
      List<SearchResult> users =
          search(
              ctx,
              String.valueOf(userSearch.get("baseDN")),
              filter,
              userSearch,
              usernameAttr,
              emailAttr);
      if (users.isEmpty()) {
        return ConnectorResults.failed(
            c,
            findings,
            warnings,
            user == null
                ? where
                    + ".userSearch finds no user under "
                    + userSearch.get("baseDN")
                    + " with "
                    + filter
                : where + ".userSearch finds no user " + user + " (" + filter + ")",
            "check userSearch.baseDN, filter and username against the directory (ldapsearch -b BASE"
                + " 'FILTER')",
            ExitCategory.INVALID_INPUT);
      }
      if (user != null && users.size() > 1) {
        return ConnectorResults.failed(
            c,
            findings,
            warnings,
            where
                + ".userSearch finds "
                + users.size()
                + " entries for "
                + user
                + "; Dex refuses a login that matches more than one",
            "make the filter or the username attribute unique",
            ExitCategory.INVALID_INPUT);
      }
      List<String> sample = new ArrayList<>();
      int withEmail = 0;
      for (SearchResult r : users) {
        String email = first(r.getAttributes(), emailAttr);
        if (email != null) {
          withEmail++;
        }
        if (sample.size() < SAMPLE) {
          sample.add(
              first(r.getAttributes(), usernameAttr)
                  + (email == null ? " (no " + emailAttr + ")" : " <" + email + ">"));
        }
      }
      findings.add(
          (users.size() >= LIMIT ? "at least " : "")
              + users.size()
              + " user"
              + (users.size() == 1 ? "" : "s")
              + " under "
              + userSearch.get("baseDN")
              + ", e.g. "
              + String.join(", ", sample));
      if (withEmail == 0) {
        return ConnectorResults.failed(
            c,
            findings,
            warnings,
            where
                + ".userSearch.emailAttr '"
                + emailAttr
                + "': none of the users found has it, and Dex refuses a login without an e-mail",
            "set emailAttr to the attribute that holds the users' e-mail (often mail)",
            ExitCategory.INVALID_INPUT);
      }
      if (withEmail < users.size()) {
        warnings.add(
            (users.size() - withEmail)
                + " of the users found have no "
                + emailAttr
                + "; Dex will refuse their logins");
      }
      Map<String, Object> groupSearch = c.section("groupSearch");
      if (!groupSearch.isEmpty()) {
        session.stage = "groups";
        String nameAttr = String.valueOf(groupSearch.get("nameAttr"));
        List<SearchResult> groups =
            search(
                ctx,
                String.valueOf(groupSearch.get("baseDN")),
                and(groupSearch.get("filter"), "(" + nameAttr + "=*)"),
                groupSearch,
                nameAttr);
        List<String> names = new ArrayList<>();
        for (SearchResult g : groups) {
          if (names.size() < SAMPLE) {
            names.add(first(g.getAttributes(), nameAttr));
          }
        }
        findings.add(
            groups.size()
                + " group"
                + (groups.size() == 1 ? "" : "s")
                + " under "
                + groupSearch.get("baseDN")
                + (names.isEmpty() ? "" : ", e.g. " + String.join(", ", names)));
        if (groups.isEmpty()) {
          warnings.add("groupSearch finds no group: users will log in without groups");
        }
      }
      return ConnectorResults.passed(c, findings, warnings);
    } catch (NamingException e) {
      return failure(c, findings, warnings, e, session.stage, url, bindDn, session.ctx);
    } catch (IOException e) {
      return tlsFailure(c, findings, warnings, url, e);
    } finally {
      session.close();
    }
  }

  /**
   * The members' e-mails of each named group the connector's groupSearch finds, as Dex would see
   * them at login (the group's userMatchers read back to the users' emailAttr); a group the
   * directory does not have is left out.
   *
   * @throws KfbootException where the directory cannot be reached or searched, naming the field
   */
  public Map<String, List<String>> groupMembers(
      Connector c, SecretValues secrets, Collection<String> names) {
    Map<String, Object> groupSearch = c.section("groupSearch");
    Map<String, Object> userSearch = c.section("userSearch");
    Map<String, List<String>> out = new TreeMap<>();
    if (groupSearch.isEmpty() || names.isEmpty()) {
      return out;
    }
    String nameAttr = String.valueOf(groupSearch.get("nameAttr"));
    String emailAttr = String.valueOf(userSearch.get("emailAttr"));
    List<Map<String, Object>> matchers = new ArrayList<>();
    for (Object m : (List<?>) groupSearch.getOrDefault("userMatchers", List.of())) {
      if (m instanceof Map<?, ?> map) {
        matchers.add(Trees.map(map));
      }
    }
    Session session = new Session(c, secrets);
    try {
      session.open();
      session.stage = "groups";
      for (String name : names) {
        String[] attrs =
            matchers.stream().map(m -> String.valueOf(m.get("groupAttr"))).toArray(String[]::new);
        List<SearchResult> groups =
            search(
                session.ctx,
                String.valueOf(groupSearch.get("baseDN")),
                and(groupSearch.get("filter"), "(" + nameAttr + "=" + escape(name) + ")"),
                groupSearch,
                attrs);
        if (groups.isEmpty()) {
          continue;
        }
        Set<String> emails = new TreeSet<>();
        for (SearchResult g : groups) {
          for (Map<String, Object> m : matchers) {
            Attribute values = g.getAttributes().get(String.valueOf(m.get("groupAttr")));
            for (int i = 0; values != null && i < values.size(); i++) {
              emails.addAll(
                  emailsOf(
                      session.ctx,
                      userSearch,
                      String.valueOf(m.get("userAttr")),
                      String.valueOf(values.get(i)),
                      emailAttr));
            }
          }
        }
        out.put(name, List.copyOf(emails));
      }
      return out;
    } catch (NamingException e) {
      throw thrown(
          failure(
              c, List.of(), List.of(), e, session.stage, session.url, session.bindDn, session.ctx));
    } catch (IOException e) {
      throw thrown(tlsFailure(c, List.of(), List.of(), session.url, e));
    } finally {
      session.close();
    }
  }

  /** The e-mails of the user a group's member value names: a DN, or a value of userAttr. */
  private List<String> emailsOf(
      LdapContext ctx,
      Map<String, Object> userSearch,
      String userAttr,
      String value,
      String emailAttr)
      throws NamingException {
    if (userAttr.equals("DN")) {
      try {
        String email = first(ctx.getAttributes(value, new String[] {emailAttr}), emailAttr);
        return email == null ? List.of() : List.of(email);
      } catch (NameNotFoundException e) {
        return List.of(); // a member entry that is gone
      }
    }
    List<String> out = new ArrayList<>();
    for (SearchResult r :
        search(
            ctx,
            String.valueOf(userSearch.get("baseDN")),
            and(userSearch.get("filter"), "(" + userAttr + "=" + escape(value) + ")"),
            userSearch,
            emailAttr)) {
      String email = first(r.getAttributes(), emailAttr);
      if (email != null) {
        out.add(email);
      }
    }
    return out;
  }

  private static KfbootException thrown(CheckResult failed) {
    return new KfbootException(failed.problem(), failed.fix(), failed.category());
  }

  /**
   * One connection made as Dex's connector makes it: LDAPS by default, StartTLS, or plain with
   * insecureNoSSL, bound with bindDN and bindPW; {@link #stage} says how far it got, for errors.
   */
  private final class Session implements AutoCloseable {
    final String url;
    final String bindDn;
    final boolean startTls;
    private final Hashtable<String, Object> env = new Hashtable<>();
    private final String password;
    private final SSLSocketFactory tlsSockets;
    LdapContext ctx;
    StartTlsResponse tls;
    String stage = "connect";

    Session(Connector c, SecretValues secrets) {
      String host = String.valueOf(c.get("host"));
      boolean plain = Boolean.TRUE.equals(c.get("insecureNoSSL"));
      startTls = Boolean.TRUE.equals(c.get("startTLS"));
      url = (plain || startTls ? "ldap://" : "ldaps://") + withDefaultPort(host, plain, startTls);
      env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
      env.put(Context.PROVIDER_URL, url);
      env.put("com.sun.jndi.ldap.connect.timeout", String.valueOf(timeout.toMillis()));
      env.put("com.sun.jndi.ldap.read.timeout", String.valueOf(timeout.toMillis()));
      env.put(Context.REFERRAL, "ignore");
      bindDn = c.get("bindDN") == null ? null : String.valueOf(c.get("bindDN"));
      password =
          bindDn == null
              ? null
              : secrets.value(c.secrets().get("bindPW"), c.where() + ".config.bindPW");
      if (!plain && !startTls) {
        env.put("java.naming.ldap.factory.socket", LdapSocketFactory.class.getName());
      }
      if (!startTls) {
        credentials(env, bindDn, password);
      }
      tlsSockets = Trust.context(c).getSocketFactory();
    }

    void open() throws NamingException, IOException {
      LdapSocketFactory.use(tlsSockets);
      ctx = new InitialLdapContext(env, null);
      if (startTls) {
        stage = "starttls";
        tls = (StartTlsResponse) ctx.extendedOperation(new StartTlsRequest());
        tls.negotiate(tlsSockets);
        stage = "bind";
        if (bindDn != null) {
          ctx.addToEnvironment(Context.SECURITY_AUTHENTICATION, "simple");
          ctx.addToEnvironment(Context.SECURITY_PRINCIPAL, bindDn);
          ctx.addToEnvironment(Context.SECURITY_CREDENTIALS, password);
        }
      }
    }

    @Override
    public void close() {
      LdapSocketFactory.clear();
      LdapCheck.close(tls, ctx);
    }
  }

  private List<SearchResult> search(
      LdapContext ctx, String base, String filter, Map<String, Object> section, String... attrs)
      throws NamingException {
    SearchControls controls = new SearchControls();
    controls.setSearchScope(
        "one".equals(section.get("scope"))
            ? SearchControls.ONELEVEL_SCOPE
            : SearchControls.SUBTREE_SCOPE);
    controls.setReturningAttributes(attrs);
    controls.setCountLimit(LIMIT);
    controls.setTimeLimit((int) timeout.toMillis());
    List<SearchResult> out = new ArrayList<>();
    NamingEnumeration<SearchResult> results = ctx.search(base, filter, controls);
    try {
      while (results.hasMore()) {
        out.add(results.next());
      }
    } catch (SizeLimitExceededException e) {
      // LIMIT entries are enough to know the search works
    } finally {
      results.close();
    }
    return out;
  }

  private static CheckResult failure(
      Connector c,
      List<String> findings,
      List<String> warnings,
      NamingException e,
      String stage,
      String url,
      String bindDn,
      LdapContext ctx) {
    String where = c.where() + ".config";
    if (e instanceof CommunicationException) {
      List<Throwable> chain = chain(e);
      for (Throwable t : chain) {
        if (t instanceof SSLException
            || t instanceof CertificateException
            || t instanceof GeneralSecurityException) {
          return tlsFailure(c, findings, warnings, url, t);
        }
      }
      Throwable cause = chain.get(chain.size() - 1);
      String why =
          cause instanceof ConnectException
              ? "connection refused"
              : cause instanceof UnknownHostException
                  ? "unknown host"
                  : cause instanceof SocketTimeoutException
                      ? "no answer in time"
                      : String.valueOf(cause.getMessage());
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + ".host: cannot reach the LDAP server at " + url + " (" + why + ")",
          "check host and port, and that this machine reaches the server (Dex connects from the"
              + " cluster's nodes); skip with --no-auth-check where only the cluster can",
          ExitCategory.NETWORK);
    }
    if (e instanceof AuthenticationException) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + ".bindPW: the server refused the bind as " + bindDn + " (invalid credentials)",
          "check bindDN and the password in " + c.secrets().get("bindPW").describe(),
          ExitCategory.INVALID_INPUT);
    }
    if (e instanceof NoPermissionException) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where
              + (stage.equals("groups") ? ".groupSearch" : ".userSearch")
              + ": "
              + (bindDn == null ? "anonymous" : bindDn)
              + " may not search there (insufficient access)",
          "give bindDN read access to the users and groups, or bind as another account",
          ExitCategory.INVALID_INPUT);
    }
    String section = stage.equals("groups") ? "groupSearch" : "userSearch";
    if (e instanceof NameNotFoundException || e instanceof InvalidNameException) {
      String base = String.valueOf(c.section(section).get("baseDN"));
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where + "." + section + ".baseDN '" + base + "' does not exist on the server",
          "use a DN under one of the server's naming contexts: " + namingContexts(ctx),
          ExitCategory.INVALID_INPUT);
    }
    if (e instanceof InvalidSearchFilterException) {
      return ConnectorResults.failed(
          c,
          findings,
          warnings,
          where
              + "."
              + section
              + ".filter '"
              + c.section(section).get("filter")
              + "' is no LDAP filter",
          "write it in parentheses, e.g. (objectClass=inetOrgPerson)",
          ExitCategory.INVALID_INPUT);
    }
    return ConnectorResults.failed(
        c,
        findings,
        warnings,
        c.where()
            + ": the LDAP server answered "
            + e.getClass().getSimpleName()
            + ": "
            + e.getExplanation(),
        "compare the connector's config with the directory (ldapsearch)",
        ExitCategory.INVALID_INPUT);
  }

  private static CheckResult tlsFailure(
      Connector c, List<String> findings, List<String> warnings, String url, Throwable cause) {
    String why = String.valueOf(cause.getMessage());
    String all =
        String.join(" ", chain(cause).stream().map(t -> String.valueOf(t.getMessage())).toList());
    // what a TLS client sees from a server that does not speak TLS on that port
    boolean plainServer =
        all.contains("Unsupported or unrecognized SSL message")
            || all.contains("peer shut down incorrectly")
            || all.contains("Remote host terminated the handshake");
    return ConnectorResults.failed(
        c,
        findings,
        warnings,
        c.where() + ".config.host: TLS to " + url + " failed: " + why,
        plainServer
            ? "that port speaks plain LDAP: set startTLS: true (or use the LDAPS port, 636)"
            : "give rootCAFile: the CA that signed the server's certificate, and make host the"
                + " name the certificate is for",
        ExitCategory.NETWORK);
  }

  /** The server's naming contexts, as its root DSE lists them; "unknown" if it does not say. */
  private static String namingContexts(LdapContext ctx) {
    if (ctx == null) {
      return "unknown";
    }
    try {
      Attribute a = ctx.getAttributes("", new String[] {"namingContexts"}).get("namingContexts");
      if (a == null) {
        return "unknown";
      }
      List<String> out = new ArrayList<>();
      NamingEnumeration<?> values = a.getAll();
      while (values.hasMore()) {
        out.add(String.valueOf(values.next()));
      }
      return String.join(", ", out);
    } catch (NamingException e) {
      return "unknown";
    }
  }

  /** The exception and its causes, JNDI's root causes included. */
  private static List<Throwable> chain(Throwable e) {
    List<Throwable> out = new ArrayList<>();
    Throwable t = e;
    while (t != null && !out.contains(t)) {
      out.add(t);
      t =
          t instanceof NamingException n && n.getRootCause() != null
              ? n.getRootCause()
              : t.getCause();
    }
    return out;
  }

  private static void credentials(Hashtable<String, Object> env, String dn, String password) {
    if (dn == null) {
      env.put(Context.SECURITY_AUTHENTICATION, "none");
    } else {
      env.put(Context.SECURITY_AUTHENTICATION, "simple");
      env.put(Context.SECURITY_PRINCIPAL, dn);
      env.put(Context.SECURITY_CREDENTIALS, password);
    }
  }

  private static String withDefaultPort(String host, boolean plain, boolean startTls) {
    if (host.contains(":")) {
      return host;
    }
    return host + (plain || startTls ? ":389" : ":636");
  }

  private static String and(Object filter, String clause) {
    return filter == null || String.valueOf(filter).isBlank()
        ? clause
        : "(&" + filter + clause + ")";
  }

  /** RFC 4515 escaping of a value in a filter. */
  static String escape(String v) {
    StringBuilder sb = new StringBuilder();
    for (char ch : v.toCharArray()) {
      switch (ch) {
        case '\\' -> sb.append("\\5c");
        case '*' -> sb.append("\\2a");
        case '(' -> sb.append("\\28");
        case ')' -> sb.append("\\29");
        case '\0' -> sb.append("\\00");
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static String first(Attributes attrs, String name) throws NamingException {
    if (name.equals("DN")) {
      return null;
    }
    Attribute a = attrs.get(name);
    return a == null || a.size() == 0 ? null : String.valueOf(a.get());
  }

  private static void close(StartTlsResponse tls, LdapContext ctx) {
    try {
      if (tls != null) {
        tls.close();
      }
    } catch (IOException e) {
      // closing: nothing to report
    }
    try {
      if (ctx != null) {
        ctx.close();
      }
    } catch (NamingException e) {
      // closing: nothing to report
    }
  }
}
