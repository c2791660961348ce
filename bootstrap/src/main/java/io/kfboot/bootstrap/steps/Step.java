package io.kfboot.bootstrap.steps;

/**
 * One small piece of host setup: look, change, look again. {@link #check} never changes the host;
 * {@code kfboot hosts plan} runs only it. {@link #apply} may assume the check failed and must leave
 * the host so that the check passes; running it twice changes nothing the second time.
 */
public interface Step {
  String id();

  /** What it ensures, one line. */
  String description();

  Check check(HostContext host);

  void apply(HostContext host);

  /** A look at the host: whether the step is satisfied, and if not, what would change. */
  record Check(boolean satisfied, String detail) {
    public static Check ok(String detail) {
      return new Check(true, detail);
    }

    public static Check change(String detail) {
      return new Check(false, detail);
    }
  }
}
