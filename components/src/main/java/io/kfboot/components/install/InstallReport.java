package io.kfboot.components.install;

import java.time.Duration;
import java.util.List;

/** What an install did, per component in the order they finished. */
public record InstallReport(
    String release, String commit, List<ComponentResult> components, Duration elapsed) {
  public record ComponentResult(
      String id, int created, int configured, int unchanged, Duration elapsed) {
    public boolean changed() {
      return created + configured > 0;
    }
  }

  public int changes() {
    return components.stream().mapToInt(c -> c.created() + c.configured()).sum();
  }
}
