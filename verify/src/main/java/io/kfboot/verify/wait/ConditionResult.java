package io.kfboot.verify.wait;

/**
 * One look at a condition: whether it holds and, either way, what was seen ("1/2 replicas
 * available", "no ready addresses"), so that progress and timeouts can say why.
 */
public record ConditionResult(boolean met, String detail) {
  public static ConditionResult met(String detail) {
    return new ConditionResult(true, detail);
  }

  public static ConditionResult pending(String detail) {
    return new ConditionResult(false, detail);
  }
}
