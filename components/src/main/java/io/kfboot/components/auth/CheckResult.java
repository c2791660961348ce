package io.kfboot.components.auth;

import io.kfboot.core.ExitCategory;
import java.util.List;

/**
 * What checking one connector found: what was seen on the way (users and groups found, the
 * provider's endpoints), and, where the check failed, the problem with the config field it is about
 * and the fix. Never a secret.
 *
 * @param connector the connector's id
 * @param findings what was seen, one line each
 * @param warnings what works now but will hurt (an http redirect URI), one line each
 * @param problem null when the check passed
 */
public record CheckResult(
    String connector,
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

  static CheckResult passed(Connector c, List<String> findings, List<String> warnings) {
    return new CheckResult(c.id(), c.type(), findings, warnings, null, null, null);
  }

  static CheckResult failed(
      Connector c,
      List<String> findings,
      List<String> warnings,
      String problem,
      String fix,
      ExitCategory category) {
    return new CheckResult(c.id(), c.type(), findings, warnings, problem, fix, category);
  }
}
