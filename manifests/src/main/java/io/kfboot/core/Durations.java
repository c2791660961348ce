package io.kfboot.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them on command lines and in config: {@code 500ms}, {@code 90s}, {@code
 * 10m}, {@code 1h}.
 */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("(\\d{1,18})(ms|s|m|h)?");

  /** Longer than anything kfboot waits for; beyond it a value is a typo. */
  public static final Duration MAX = Duration.ofDays(7);

  private Durations() {}

  /**
   * Parses {@code text}; a bare number is seconds. Zero, negative, malformed and absurd values
   * (over {@link #MAX}) are refused with an {@link ExitCategory#INVALID_INPUT} that names {@code
   * what}.
   */
  public static Duration parse(String what, String text) {
    String fix = "write it like 500ms, 90s, 10m or 1h (at most " + MAX.toDays() + " days)";
    Matcher m = FORM.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new KfbootException(
          what + " " + text + " is no duration", fix, ExitCategory.INVALID_INPUT);
    }
    long n = Long.parseLong(m.group(1));
    Duration d;
    try {
      d =
          switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
          };
    } catch (ArithmeticException e) {
      d = null;
    }
    if (d == null || d.compareTo(MAX) > 0) {
      throw new KfbootException(
          what + " " + text + " is longer than kfboot ever waits", fix, ExitCategory.INVALID_INPUT);
    }
    if (d.isZero()) {
      throw new KfbootException(what + " must be longer than 0", fix, ExitCategory.INVALID_INPUT);
    }
    return d;
  }

  /** {@code 90s}, {@code 10m}, {@code 1m30s}, {@code 500ms}: short, for progress lines. */
  public static String human(Duration d) {
    long s = d.toSeconds();
    return s >= 60
        ? (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s")
        : s > 0 ? s + "s" : d.toMillis() + "ms";
  }
}
