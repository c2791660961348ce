package io.kfboot.cli;

import io.kfboot.components.check.CheckResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code auth check} and {@code stores check} print their results, as text and as JSON. */
final class CheckReports {
  private CheckReports() {}

  /** One block per result: ok or FAIL, what was seen, warnings, and the problem with its fix. */
  static void text(StringBuilder sb, List<CheckResult> results) {
    for (CheckResult r : results) {
      sb.append(r.passed() ? "ok    " : "FAIL  ")
          .append(r.subject())
          .append(" (")
          .append(r.type())
          .append(")\n");
      r.findings().forEach(f -> sb.append("      ").append(f).append('\n'));
      r.warnings().forEach(w -> sb.append("      warning: ").append(w).append('\n'));
      if (!r.passed()) {
        sb.append("      problem: ").append(r.problem()).append('\n');
        sb.append("      fix: ").append(r.fix()).append('\n');
      }
    }
  }

  /** The results as JSON objects, each named by {@code idKey}. */
  static List<Map<String, Object>> json(List<CheckResult> results, String idKey) {
    return results.stream()
        .map(
            r -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put(idKey, r.subject());
              m.put("type", r.type());
              m.put("passed", r.passed());
              m.put("findings", r.findings());
              m.put("warnings", r.warnings());
              if (!r.passed()) {
                m.put("problem", r.problem());
                m.put("fix", r.fix());
              }
              return m;
            })
        .toList();
  }
}
