package io.kfboot.components.stores;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Where one family of releases keeps Pipelines' object store: the in-cluster store's objects and
 * gates, and the env vars of each consumer that must be in the render before kfboot points it at an
 * external store. The data is {@code object-stores.yaml} beside this class.
 *
 * @param inCluster "Kind/name" in kubeflow, each required in the render and left out of the plan
 * @param inClusterOptional the same where present
 * @param gatesOn gate targets ("kubeflow/minio") that await the in-cluster store
 * @param apiServerEnv env of ml-pipeline's api server that must be there
 * @param uiEnv env of ml-pipeline-ui that must be there
 * @param profileControllerEnv env of the Pipelines profile controller that must be there
 * @param profileControllerEnvRemoved of those, the ones kfboot takes out
 * @param hookDefaults URLs of the in-cluster store written into the release's hook code, each
 *     replaced by the external endpoint
 * @param argoEndpoint the {@code s3.endpoint} of Argo's artifactRepository in the render
 */
public record ObjectStorePatchSet(
    String id,
    List<String> releases,
    List<String> inCluster,
    List<String> inClusterOptional,
    List<String> gatesOn,
    List<String> apiServerEnv,
    List<String> uiEnv,
    List<String> profileControllerEnv,
    List<String> profileControllerEnvRemoved,
    List<String> hookDefaults,
    String argoEndpoint) {

  static final String RESOURCE = "object-stores.yaml";
  private static final Set<String> KEYS =
      Set.of(
          "id",
          "releases",
          "inCluster",
          "inClusterOptional",
          "gatesOn",
          "apiServerEnv",
          "uiEnv",
          "profileControllerEnv",
          "profileControllerEnvRemoved",
          "hookDefaults",
          "argoEndpoint");

  private static List<ObjectStorePatchSet> shipped;

  /** The patch set of the release, if kfboot knows where that release keeps its store. */
  public static Optional<ObjectStorePatchSet> forRelease(String tag) {
    return shipped().stream().filter(s -> s.releases().contains(tag)).findFirst();
  }

  /**
   * The in-cluster stores' addresses in Argo's artifactRepository, of every release: a cluster
   * whose Argo names one of these keeps its artifacts in-cluster.
   */
  public static Set<String> inClusterEndpoints() {
    Set<String> out = new TreeSet<>();
    shipped().forEach(s -> out.add(s.argoEndpoint()));
    return out;
  }

  /** The releases some patch set covers, for the error on any other. */
  public static Set<String> supportedReleases() {
    Set<String> out = new TreeSet<>();
    shipped().forEach(s -> out.addAll(s.releases()));
    return out;
  }

  static synchronized List<ObjectStorePatchSet> shipped() {
    if (shipped == null) {
      try (InputStream in = ObjectStorePatchSet.class.getResourceAsStream(RESOURCE)) {
        shipped = parse(in);
      } catch (IOException e) {
        throw new KfbootException(
            "cannot read the shipped " + RESOURCE + ": " + e.getMessage(),
            "reinstall kfboot",
            ExitCategory.INTERNAL);
      }
    }
    return shipped;
  }

  /** Parses and validates the data: every key known, every list present, releases unique. */
  static List<ObjectStorePatchSet> parse(InputStream in) {
    Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    if (!(root instanceof Map<?, ?> top) || !(top.get("patchSets") instanceof List<?> sets)) {
      throw invalid("has no list patchSets");
    }
    List<ObjectStorePatchSet> out = new ArrayList<>();
    Set<String> releases = new TreeSet<>();
    for (Object o : sets) {
      if (!(o instanceof Map<?, ?> m)) {
        throw invalid("has a patch set that is no mapping");
      }
      for (Object k : m.keySet()) {
        if (!KEYS.contains(String.valueOf(k))) {
          throw invalid("has the unknown key " + k + " in patch set " + m.get("id"));
        }
      }
      String id = string(m, "id", "?");
      ObjectStorePatchSet set =
          new ObjectStorePatchSet(
              id,
              strings(m, "releases", id),
              strings(m, "inCluster", id),
              strings(m, "inClusterOptional", id),
              strings(m, "gatesOn", id),
              strings(m, "apiServerEnv", id),
              strings(m, "uiEnv", id),
              strings(m, "profileControllerEnv", id),
              strings(m, "profileControllerEnvRemoved", id),
              strings(m, "hookDefaults", id),
              string(m, "argoEndpoint", id));
      for (String r : set.releases()) {
        if (!releases.add(r)) {
          throw invalid("lists release " + r + " in two patch sets");
        }
      }
      for (String kn : concat(set.inCluster(), set.inClusterOptional())) {
        if (kn.split("/").length != 2) {
          throw invalid("patch set " + id + ": '" + kn + "' is not Kind/name");
        }
      }
      if (!set.profileControllerEnv().containsAll(set.profileControllerEnvRemoved())) {
        throw invalid("patch set " + id + " removes env it does not expect");
      }
      out.add(set);
    }
    return List.copyOf(out);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  private static String string(Map<?, ?> m, String key, String id) {
    if (!(m.get(key) instanceof String s) || s.isBlank()) {
      throw invalid("patch set " + id + " has no " + key);
    }
    return s;
  }

  private static List<String> strings(Map<?, ?> m, String key, String id) {
    if (!(m.get(key) instanceof List<?> list)) {
      throw invalid("patch set " + id + " has no list " + key);
    }
    return list.stream().map(String::valueOf).toList();
  }

  private static KfbootException invalid(String what) {
    return new KfbootException(
        RESOURCE + " " + what, "fix the shipped data file", ExitCategory.INTERNAL);
  }
}
