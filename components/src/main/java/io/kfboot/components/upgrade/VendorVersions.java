package io.kfboot.components.upgrade;

import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.plan.PlannedComponent;
import io.kfboot.manifests.parse.K8sObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versions of the vendors whose own upgrade rules a Kubeflow release can break: Istio, Knative
 * Serving and cert-manager each support upgrades one minor version at a time, and a Kubeflow
 * release may move several (v1.10.2 -> 26.03: Istio 1.26 -> 1.28, Knative 1.16 -> 1.21,
 * cert-manager 1.16 -> 1.19). Read from the plans: the images of istiod and cert-manager's
 * controller, Knative's {@code app.kubernetes.io/version} label.
 */
public final class VendorVersions {
  private VendorVersions() {}

  /**
   * A vendor whose version changes.
   *
   * @param skipped minor versions passed over (0: one minor, or a patch)
   * @param rule the vendor's rule, with its source
   */
  public record Move(String vendor, String from, String to, int skipped, String rule) {
    public boolean skips() {
      return skipped > 0;
    }

    /** The warning a plan shows for a move that skips minor versions; empty otherwise. */
    public String warning() {
      return skips()
          ? vendor
              + " moves from "
              + from
              + " to "
              + to
              + ", passing over "
              + skipped
              + " minor version"
              + (skipped == 1 ? "" : "s")
              + "; "
              + rule
              + ". kfboot applies the new release in one step, as upstream does: take the backup"
              + " seriously"
          : "";
    }
  }

  private record Vendor(String name, Pattern image, String rule) {}

  private static final List<Vendor> IMAGES =
      List.of(
          new Vendor(
              "Istio",
              Pattern.compile(".*/pilot:v?(\\d+\\.\\d+\\.\\d+).*"),
              "Istio supports in-place upgrades one minor version at a time"
                  + " (https://istio.io/latest/docs/setup/upgrade/in-place/)"),
          new Vendor(
              "cert-manager",
              Pattern.compile(".*/cert-manager-controller:v?(\\d+\\.\\d+\\.\\d+).*"),
              "cert-manager asks to upgrade one minor version at a time"
                  + " (https://cert-manager.io/docs/releases/upgrading/)"));
  private static final String KNATIVE_RULE =
      "Knative supports upgrading by a single minor version number"
          + " (https://knative.dev/docs/install/upgrade/)";

  public static List<Move> moves(InstallPlan before, InstallPlan after) {
    List<Move> out = new ArrayList<>();
    for (Vendor v : IMAGES) {
      move(v.name, image(before, v.image), image(after, v.image), v.rule).ifPresent(out::add);
    }
    move("Knative Serving", knative(before), knative(after), KNATIVE_RULE).ifPresent(out::add);
    return out;
  }

  /** Whether Istio's version changes: then the sidecars of running pods are the old proxy. */
  public static boolean istioChanges(List<Move> moves) {
    return moves.stream().anyMatch(m -> m.vendor().equals("Istio"));
  }

  private static Optional<Move> move(
      String vendor, Optional<String> from, Optional<String> to, String rule) {
    if (from.isEmpty() || to.isEmpty() || from.get().equals(to.get())) {
      return Optional.empty();
    }
    int[] f = minor(from.get());
    int[] t = minor(to.get());
    int skipped = f[0] == t[0] ? Math.max(0, t[1] - f[1] - 1) : 1;
    return Optional.of(new Move(vendor, from.get(), to.get(), skipped, rule));
  }

  private static int[] minor(String version) {
    String[] p = version.split("\\.");
    return new int[] {Integer.parseInt(p[0]), Integer.parseInt(p[1])};
  }

  private static Optional<String> image(InstallPlan plan, Pattern p) {
    for (PlannedComponent c : plan.components()) {
      for (String image : c.images()) {
        Matcher m = p.matcher(image);
        if (m.matches()) {
          return Optional.of(m.group(1));
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> knative(InstallPlan plan) {
    for (PlannedComponent c : plan.components()) {
      for (K8sObject o : c.objects()) {
        String v = o.labels().get("app.kubernetes.io/version");
        if (o.kind().equals("Deployment")
            && "knative-serving".equals(o.namespace())
            && "controller".equals(o.name())
            && v != null
            && v.matches("v?\\d+\\.\\d+\\.\\d+")) {
          return Optional.of(v.startsWith("v") ? v.substring(1) : v);
        }
      }
    }
    return Optional.empty();
  }
}
