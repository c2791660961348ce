package io.kfboot.bootstrap.command;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A command for a host: an argv, never a string glued together. {@link #shellLine()} quotes it for
 * a POSIX shell (what an SSH server hands the command to); {@link #redacted()} is the same line
 * with every secret replaced, and is what logs, plans and exceptions show. Secrets are better
 * passed on stdin ({@link #withSecretStdin}), which no process listing shows.
 */
public final class Command {
  /** Words a POSIX shell reads back unchanged without quotes. */
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_@%+=:,./-]+");

  public static final String REDACTED = "<redacted>";

  private final List<String> argv;
  private final Set<String> secrets;
  private final byte[] stdin;
  private final boolean stdinSecret;

  private Command(List<String> argv, Set<String> secrets, byte[] stdin, boolean stdinSecret) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("a command needs a program");
    }
    argv.forEach(a -> Objects.requireNonNull(a, "argument"));
    this.argv = List.copyOf(argv);
    this.secrets = Set.copyOf(secrets);
    this.stdin = stdin == null ? null : stdin.clone();
    this.stdinSecret = stdinSecret;
  }

  public static Command of(String program, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(program);
    argv.addAll(List.of(args));
    return new Command(argv, Set.of(), null, false);
  }

  public static Command of(List<String> argv) {
    return new Command(argv, Set.of(), null, false);
  }

  /** {@code sh -c script}: for the few steps that need a pipeline or a redirection. */
  public static Command shell(String script) {
    return of("sh", "-c", script);
  }

  public Command arg(String... more) {
    List<String> a = new ArrayList<>(argv);
    a.addAll(List.of(more));
    return new Command(a, secrets, stdin, stdinSecret);
  }

  /** An argument whose value never shows in {@link #redacted()}. */
  public Command secretArg(String value) {
    Set<String> s = new LinkedHashSet<>(secrets);
    s.add(value);
    List<String> a = new ArrayList<>(argv);
    a.add(value);
    return new Command(a, s, stdin, stdinSecret);
  }

  /** Marks a value that occurs inside an argument (an env assignment, a script) as secret. */
  public Command redacting(String value) {
    Set<String> s = new LinkedHashSet<>(secrets);
    s.add(value);
    return new Command(argv, s, stdin, stdinSecret);
  }

  public Command withStdin(String text) {
    return new Command(argv, secrets, text.getBytes(StandardCharsets.UTF_8), false);
  }

  public Command withSecretStdin(String text) {
    return new Command(argv, secrets, text.getBytes(StandardCharsets.UTF_8), true);
  }

  /** Runs as root through {@code sudo -n}: never prompts, fails at once without rights. */
  public Command sudo() {
    if (argv.get(0).equals("sudo")) {
      return this;
    }
    List<String> a = new ArrayList<>(List.of("sudo", "-n", "--"));
    a.addAll(argv);
    return new Command(a, secrets, stdin, stdinSecret);
  }

  public List<String> argv() {
    return argv;
  }

  public byte[] stdin() {
    return stdin == null ? null : stdin.clone();
  }

  /** The line a POSIX shell turns back into exactly {@link #argv()}. */
  public String shellLine() {
    return String.join(" ", argv.stream().map(Command::quote).toList());
  }

  /** {@link #shellLine()} with every secret replaced by {@value #REDACTED}. */
  public String redacted() {
    String line = shellLine();
    for (String s : secrets) {
      if (!s.isEmpty()) {
        line = line.replace(quote(s), REDACTED).replace(s, REDACTED);
      }
    }
    return stdin == null
        ? line
        : line + (stdinSecret ? " <<< " + REDACTED : " <<< (" + stdin.length + " bytes)");
  }

  /** Secrets in the command, for scrubbing what the command printed. */
  public Set<String> secrets() {
    return secrets;
  }

  public static String quote(String word) {
    if (!word.isEmpty() && SAFE.matcher(word).matches()) {
      return word;
    }
    return "'" + word.replace("'", "'\"'\"'") + "'";
  }

  @Override
  public String toString() {
    return redacted();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Command c && c.argv.equals(argv) && Arrays.equals(c.stdin, stdin);
  }

  @Override
  public int hashCode() {
    return argv.hashCode();
  }
}
