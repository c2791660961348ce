package io.kfboot.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Evaluates {@link Requires}: disabled with the reason where a need is missing, an error under CI
 * for what CI provides.
 */
public final class RequiresCondition implements ExecutionCondition {
  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    List<String> missing = new ArrayList<>();
    boolean ciMustHave = false;
    for (Requires r :
        AnnotationSupport.findAnnotation(context.getElement(), Requires.class).stream().toList()) {
      for (Need n : r.value()) {
        var reason = n.missing();
        if (reason.isPresent()) {
          missing.add(reason.get() + "; needs " + n.what());
          ciMustHave |= n.providedInCi();
        }
      }
    }
    if (missing.isEmpty()) {
      return ConditionEvaluationResult.enabled("everything it needs is here");
    }
    String reason = String.join("; ", missing);
    if (ciMustHave && Skips.inCi()) {
      throw new AssertionError(
          "CI=true, and " + reason + ": .ci/run must provide it; a skip here would hide a gap");
    }
    System.err.println("SKIPPED: " + context.getDisplayName() + ": " + reason);
    return ConditionEvaluationResult.disabled(reason);
  }
}
