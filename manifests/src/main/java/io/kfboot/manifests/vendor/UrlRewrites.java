package io.kfboot.manifests.vendor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prefix rewrites applied to every URL kfboot fetches while vendoring, like git's {@code
 * url.<base>.insteadOf}: for sites that mirror GitHub, and for tests that serve from loopback. The
 * longest matching prefix wins.
 */
public record UrlRewrites(Map<String, String> rules) {
  public static final UrlRewrites NONE = new UrlRewrites(Map.of());

  public UrlRewrites {
    rules = Map.copyOf(rules);
  }

  /** Parses "FROM=TO" strings. */
  public static UrlRewrites parse(List<String> specs) {
    Map<String, String> rules = new LinkedHashMap<>();
    for (String s : specs) {
      int eq = s.indexOf('=');
      if (eq <= 0 || eq == s.length() - 1) {
        throw new IllegalArgumentException("URL rewrite '" + s + "' is not FROM=TO");
      }
      rules.put(s.substring(0, eq), s.substring(eq + 1));
    }
    return new UrlRewrites(rules);
  }

  public String apply(String url) {
    String best = null;
    for (String from : rules.keySet()) {
      if (url.startsWith(from) && (best == null || from.length() > best.length())) {
        best = from;
      }
    }
    return best == null ? url : rules.get(best) + url.substring(best.length());
  }
}
