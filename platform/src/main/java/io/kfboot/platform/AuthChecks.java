package io.kfboot.platform;

import io.kfboot.components.auth.Connector;
import io.kfboot.components.auth.LdapCheck;
import io.kfboot.components.auth.OidcCheck;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.check.CheckResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code kfboot auth check}, and the same as a preflight of install and up: each connector of the
 * settings' {@code auth:} tried against its real server as Dex will use it, before anything is
 * applied. A failure stops the install with every connector's problem and fix; {@code
 * --no-auth-check} skips it where only the cluster reaches the identity provider.
 */
public final class AuthChecks {
  static final Duration TIMEOUT = Duration.ofSeconds(15);

  private final PlatformSettings settings;
  private final PlatformListener listener;

  public AuthChecks(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /** How many connectors the settings' auth: has. */
  public int connectorCount() {
    return settings.access().auth().connectors().size();
  }

  /**
   * Every connector's result, in the inventory's order.
   *
   * @param user a username the LDAP connectors look up as at login, or null
   */
  public List<CheckResult> run(String user) {
    SecretValues secrets = SecretValues.from(settings.env());
    List<CheckResult> results = new ArrayList<>();
    for (Connector c : settings.access().auth().connectors()) {
      listener.report("auth check: " + c.where() + " (" + c.type() + ")");
      // LDAP logs in on Dex's own form: no provider redirects a browser, so any issuer does
      results.add(
          c.type().equals("ldap")
              ? new LdapCheck(TIMEOUT).check(c, secrets, user)
              : new OidcCheck(TIMEOUT).check(c, settings.issuer()));
    }
    return results;
  }

  /**
   * The check before an install: nothing when skipped or without connectors; otherwise the findings
   * and warnings reported, and every failure thrown as one, before anything is applied.
   */
  public void preflight() {
    if (!settings.authCheck() || settings.access().auth().connectors().isEmpty()) {
      return;
    }
    List<CheckResult> results = run(null);
    Preflights.report(results, listener);
    requirePassed(results);
  }

  /** Throws every failed connector's problem as one exception, with the first one's category. */
  public static void requirePassed(List<CheckResult> results) {
    Preflights.requirePassed(results, "the auth check", "connector", "kfboot auth check");
  }
}
