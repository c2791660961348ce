package io.kfboot.components.auth;

import io.kfboot.components.check.CheckResult;
import io.kfboot.core.ExitCategory;
import java.util.List;

/** A connector's check result, named by its id and type. */
final class ConnectorResults {
  private ConnectorResults() {}

  static CheckResult passed(Connector c, List<String> findings, List<String> warnings) {
    return CheckResult.passed(c.id(), c.type(), findings, warnings);
  }

  static CheckResult failed(
      Connector c,
      List<String> findings,
      List<String> warnings,
      String problem,
      String fix,
      ExitCategory category) {
    return CheckResult.failed(c.id(), c.type(), findings, warnings, problem, fix, category);
  }
}
