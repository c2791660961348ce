package io.kfboot.components.upgrade;

import io.kfboot.components.upgrade.UpgradeStep.CopyBucket;
import io.kfboot.components.upgrade.UpgradeStep.DeleteBeforeApply;
import io.kfboot.components.upgrade.UpgradeStep.Endpoint;
import io.kfboot.components.upgrade.UpgradeStep.MigrateStoredVersion;
import io.kfboot.components.upgrade.UpgradeStep.ObjectRef;
import io.kfboot.components.upgrade.UpgradeStep.ResetProfileObjects;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.YamlReader;
import io.kfboot.manifests.source.KnownReleases;
import io.kfboot.manifests.source.ReleaseRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Which upgrades between releases kfboot supports and the steps of each, from the data file {@code
 * io/kfboot/components/upgrades.yaml} (read and checked like the release catalogs: every problem
 * with its line, all at once). An upgrade inside one minor line is always supported and has no
 * steps; any other must be listed. An upgrade that is not is refused with the route through
 * supported ones, as Charmed Kubeflow and the vendors (Istio, Knative, cert-manager) ask: one step
 * at a time.
 */
public final class UpgradeCatalog {
  private static final String RESOURCE = "/io/kfboot/components/upgrades.yaml";
  private static final Set<String> STEP_KEYS =
      Set.of(
          "deleteBeforeApply",
          "migrateStoredVersion",
          "copyBucket",
          "resetProfileObjects",
          "why",
          "source");
  private static final Pattern PATCH_RELEASE = Pattern.compile("(v?\\d+\\.\\d+)\\.\\d+");

  private final List<String> releases;
  private final Map<String, Map<String, List<UpgradeStep>>> listed;

  private UpgradeCatalog(
      List<String> releases, Map<String, Map<String, List<UpgradeStep>>> listed) {
    this.releases = List.copyOf(releases);
    this.listed = listed;
  }

  /** The shipped data, over the releases kfboot knows (oldest first). */
  public static UpgradeCatalog shipped(KnownReleases known) {
    try (InputStream in = UpgradeCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the classpath");
      }
      return load(in, "classpath:" + RESOURCE, known);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + RESOURCE, e);
    }
  }

  public static UpgradeCatalog load(InputStream in, String source, KnownReleases known) {
    List<String> tags = known.all().stream().map(ReleaseRef::tag).toList();
    YamlReader yaml = new YamlReader();
    Map<String, Map<String, List<UpgradeStep>>> listed = new HashMap<>();
    try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      yaml.root(r, "a mapping with upgrades").ifPresent(top -> read(yaml, top, tags, listed));
    } catch (IOException e) {
      yaml.problems().add("cannot be read: " + e.getMessage());
    }
    if (!yaml.problems().isEmpty()) {
      throw new UpgradeException(
          "upgrade data "
              + source
              + (yaml.problems().size() == 1
                  ? " " + yaml.problems().get(0)
                  : " has "
                      + yaml.problems().size()
                      + " problems:\n  "
                      + String.join("\n  ", yaml.problems())),
          "fix the upgrade data file (see docs/upgrades.md)",
          ExitCategory.INTERNAL);
    }
    return new UpgradeCatalog(tags, listed);
  }

  private static void read(
      YamlReader yaml,
      MappingNode top,
      List<String> tags,
      Map<String, Map<String, List<UpgradeStep>>> listed) {
    Map<String, Node> m = yaml.keys(top, "the top level", Set.of("upgrades"));
    for (MappingNode entry : yaml.mappings(m.get("upgrades"), top, "upgrades", true)) {
      Map<String, Node> e = yaml.keys(entry, "an upgrade", Set.of("from", "to", "steps"));
      List<String> from = releases(yaml, e.get("from"), entry, "from", tags);
      List<String> to = releases(yaml, e.get("to"), entry, "to", tags);
      List<UpgradeStep> steps = new ArrayList<>();
      for (MappingNode s : yaml.mappings(e.get("steps"), entry, "steps", true)) {
        UpgradeStep step = step(yaml, s);
        if (step != null) {
          steps.add(step);
        }
      }
      for (String f : from) {
        for (String t : to) {
          if (tags.indexOf(t) <= tags.indexOf(f)) {
            yaml.problem(e.get("to"), t + " is not newer than " + f);
            continue;
          }
          if (listed.computeIfAbsent(f, k -> new LinkedHashMap<>()).put(t, List.copyOf(steps))
              != null) {
            yaml.problem(entry, f + " -> " + t + " is listed twice");
          }
        }
      }
    }
  }

  private static List<String> releases(
      YamlReader yaml, Node node, Node parent, String what, List<String> tags) {
    List<String> out = yaml.strings(node, what);
    if (node == null) {
      yaml.problem(parent, what + " is missing");
    }
    for (String t : out) {
      if (!tags.contains(t)) {
        yaml.problem(node, what + ": " + t + " is not a release kfboot knows (" + tags + ")");
      }
    }
    return out.stream().filter(tags::contains).toList();
  }

  private static UpgradeStep step(YamlReader yaml, MappingNode node) {
    Map<String, Node> m = yaml.keys(node, "a step", STEP_KEYS);
    String why = yaml.string(m, node, "why", "", true);
    String source = yaml.string(m, node, "source", "", true);
    List<String> kinds =
        m.keySet().stream().filter(k -> !k.equals("why") && !k.equals("source")).toList();
    if (kinds.size() != 1) {
      yaml.problem(
          node,
          "a step is exactly one of deleteBeforeApply, migrateStoredVersion, copyBucket,"
              + " resetProfileObjects; this one has "
              + (kinds.isEmpty() ? "none" : String.join(", ", kinds)));
      return null;
    }
    Node v = m.get(kinds.get(0));
    return switch (kinds.get(0)) {
      case "deleteBeforeApply" -> {
        ObjectRef ref = ref(yaml, v);
        yield ref == null ? null : new DeleteBeforeApply(ref, why, source);
      }
      case "migrateStoredVersion" -> {
        Map<String, Node> k = map(yaml, v, "migrateStoredVersion", Set.of("crd", "from", "to"));
        yield k == null
            ? null
            : new MigrateStoredVersion(
                yaml.string(k, v, "crd", "", true),
                yaml.string(k, v, "from", "", true),
                yaml.string(k, v, "to", "", true),
                why,
                source);
      }
      case "copyBucket" -> copyBucket(yaml, v, why, source);
      default -> {
        List<ObjectRef> refs = new ArrayList<>();
        for (MappingNode r : yaml.mappings(v, node, "resetProfileObjects", true)) {
          ObjectRef ref = ref(yaml, r);
          if (ref != null) {
            if (!ref.namespace().isEmpty()) {
              yaml.problem(r, "resetProfileObjects name no namespace: they are in each profile's");
            }
            refs.add(ref);
          }
        }
        yield new ResetProfileObjects(refs, why, source);
      }
    };
  }

  private static CopyBucket copyBucket(YamlReader yaml, Node v, String why, String source) {
    Map<String, Node> k = map(yaml, v, "copyBucket", Set.of("bucket", "credentials", "from", "to"));
    if (k == null) {
      return null;
    }
    Map<String, Node> c =
        map(yaml, k.get("credentials"), "credentials", Set.of("secret", "accessKey", "secretKey"));
    Endpoint from = endpoint(yaml, k.get("from"), "from");
    Endpoint to = endpoint(yaml, k.get("to"), "to");
    if (c == null || from == null || to == null) {
      return null;
    }
    Node cn = k.get("credentials");
    String secret = yaml.string(c, cn, "secret", "", true);
    if (!secret.isEmpty() && !secret.contains("/")) {
      yaml.problem(cn, "credentials secret is NAMESPACE/NAME, not " + secret);
    }
    return new CopyBucket(
        yaml.string(k, v, "bucket", "", true),
        secret,
        yaml.string(c, cn, "accessKey", "", true),
        yaml.string(c, cn, "secretKey", "", true),
        from,
        to,
        why,
        source);
  }

  private static Endpoint endpoint(YamlReader yaml, Node v, String what) {
    Map<String, Node> k = map(yaml, v, what, Set.of("namespace", "pods", "port"));
    return k == null
        ? null
        : new Endpoint(
            yaml.string(k, v, "namespace", "", true),
            yaml.string(k, v, "pods", "", true),
            yaml.integer(k, v, "port", 0, 1, 65535));
  }

  private static ObjectRef ref(YamlReader yaml, Node v) {
    Map<String, Node> k = map(yaml, v, "an object", Set.of("kind", "namespace", "name"));
    if (k == null) {
      return null;
    }
    return new ObjectRef(
        yaml.string(k, v, "kind", "", true),
        yaml.string(k, v, "namespace", "", false),
        yaml.string(k, v, "name", "", true));
  }

  private static Map<String, Node> map(YamlReader yaml, Node v, String what, Set<String> keys) {
    if (!(v instanceof MappingNode mn)) {
      yaml.problem(v, what + " must be a mapping of " + String.join(", ", keys));
      return null;
    }
    return yaml.keys(mn, what, keys);
  }

  /**
   * The one hop from {@code from} to {@code to}; refused (with the route through supported
   * upgrades, or what to do instead) when it is none kfboot supports.
   */
  public UpgradeHop hop(String from, String to) {
    if (!releases.contains(to)) {
      throw new UpgradeException(
          "kfboot does not know release " + to,
          "upgrade to one of " + String.join(", ", releases),
          ExitCategory.INVALID_INPUT);
    }
    if (!releases.contains(from)) {
      throw new UpgradeException(
          "the cluster holds release " + from + ", which this kfboot does not know",
          "use the kfboot version that installed it, or a newer one that lists " + from,
          ExitCategory.INVALID_INPUT);
    }
    if (from.equals(to)) {
      throw new UpgradeException(
          "the cluster holds " + to + " already",
          "to reapply it, run 'kfboot install --manifests " + to + "'",
          ExitCategory.INVALID_INPUT);
    }
    if (releases.indexOf(to) < releases.indexOf(from)) {
      throw new UpgradeException(
          to + " is older than " + from + ", which the cluster holds: kfboot does not downgrade",
          "its databases may not open in the older MySQL (8.4 data cannot be read by 8.0): go back"
              + " with 'kfboot restore' from the backup the upgrade took",
          ExitCategory.INVALID_INPUT);
    }
    List<UpgradeStep> steps = direct(from, to);
    if (steps != null) {
      return new UpgradeHop(from, to, steps);
    }
    List<String> route = route(from, to);
    if (route.isEmpty()) {
      throw new UpgradeException(
          "kfboot has no supported upgrade from " + from + " to " + to,
          "install " + to + " on a new cluster and move the data across",
          ExitCategory.INVALID_INPUT);
    }
    StringBuilder fix = new StringBuilder("upgrade one supported step at a time: ");
    for (int i = 1; i < route.size(); i++) {
      fix.append(i == 1 ? "" : ", then ").append("kfboot upgrade --to ").append(route.get(i));
    }
    throw new UpgradeException(
        from
            + " -> "
            + to
            + " is not an upgrade kfboot supports in one go; the supported path is "
            + String.join(" -> ", route),
        fix.toString(),
        ExitCategory.INVALID_INPUT);
  }

  /** Steps of a supported one-hop upgrade, or null. */
  private List<UpgradeStep> direct(String from, String to) {
    List<UpgradeStep> steps = listed.getOrDefault(from, Map.of()).get(to);
    if (steps != null) {
      return steps;
    }
    return minorLine(from).equals(minorLine(to)) ? List.of() : null;
  }

  /** The shortest route of supported hops, newest stops preferred; empty when there is none. */
  List<String> route(String from, String to) {
    Map<String, String> previous = new HashMap<>();
    Deque<String> queue = new ArrayDeque<>(List.of(from));
    previous.put(from, from);
    while (!queue.isEmpty()) {
      String at = queue.poll();
      if (at.equals(to)) {
        List<String> route = new ArrayList<>();
        for (String r = to; !r.equals(from); r = previous.get(r)) {
          route.add(0, r);
        }
        route.add(0, from);
        return route;
      }
      // newest first, so that of two routes as short the one through newer releases is taken
      for (int i = releases.size() - 1; i > releases.indexOf(at); i--) {
        String next = releases.get(i);
        if (!previous.containsKey(next) && direct(at, next) != null) {
          previous.put(next, at);
          queue.add(next);
        }
      }
    }
    return List.of();
  }

  /** "v1.10" for v1.10.2; a calendar release (26.03) is its own line. */
  static String minorLine(String tag) {
    Matcher m = PATCH_RELEASE.matcher(tag);
    return m.matches() ? m.group(1) : tag;
  }

  /** Every listed hop with steps, for checks of the data against the renders. */
  public List<UpgradeHop> listedHops() {
    List<UpgradeHop> out = new ArrayList<>();
    listed.forEach((f, tos) -> tos.forEach((t, steps) -> out.add(new UpgradeHop(f, t, steps))));
    return out;
  }
}
