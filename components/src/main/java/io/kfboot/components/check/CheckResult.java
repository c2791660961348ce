package io.kfboot.components.check;

import io.kfboot.core.ExitCategory;
import java.util.List;

/**
 * What checking one external service found before kfboot relies on it (an identity provider, a
 * database, an object store): what was seen on the way, and, where the check failed, the problem
 * with the config field it is about and the fix. Never a secret.
 *
 * @param subject what was checked: a connector's id, or a store's place in the inventory
 * @param type its kind (ldap, oidc, mysql, s3)
 * @param findings what was seen, one line each
 * @param warnings what works now but will hurt (an http redirect URI), one line each
 * @param problem null when the check passed
 */
public record CheckResult(
    String subject,
    String type,
    List<String> findings,
    List<String> warnings,
    String problem,
    String fix,
    ExitCategory category) {

  public CheckResult {
    findings = List.copyOf(findings);
    warnings = List.copyOf(warnings);
  }

  public boolean passed() {
    return problem == null;
  }

  public static CheckResult passed(
      String subject, String type, List<String> findings, List<String> warnings) {
    return new CheckResult(subject, type, findings, warnings, null, null, null);
  }

  public static CheckResult failed(
      String subject,
      String type,
      List<String> findings,
      List<String> warnings,
      String problem,
      String fix,
      ExitCategory category) {
    return new CheckResult(subject, type, findings, warnings, problem, fix, category);
  }
}
