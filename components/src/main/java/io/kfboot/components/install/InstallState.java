package io.kfboot.components.install;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What kfboot has installed on a cluster, kept in the ConfigMap {@value #NAMESPACE}/{@value #NAME}
 * so that {@code kfboot status} can read it and a rerun after a kill knows where it stood.
 *
 * @param release the kubeflow/manifests tag
 * @param commit its pinned commit
 * @param source where the release was read from (a tag, a tarball or a directory on the machine
 *     that ran kfboot), so that uninstall can render the same objects
 * @param phase installing, installed, failed or uninstalling
 * @param done the components whose gates held, in the order they finished
 * @param updated when this was last written
 * @param lastRun how the last run ended: running, succeeded or failed; a failed rerun on a complete
 *     install leaves {@code phase} installed and says so here
 */
public record InstallState(
    String release,
    String commit,
    String source,
    String phase,
    List<String> done,
    String updated,
    String lastRun) {
  public static final String NAMESPACE = "kube-system";
  public static final String NAME = "kfboot-install";
  public static final String LAST_RUN_RUNNING = "running";
  public static final String LAST_RUN_OK = "succeeded";

  public InstallState(
      String release,
      String commit,
      String source,
      String phase,
      List<String> done,
      String updated) {
    this(release, commit, source, phase, done, updated, "");
  }

  public static Optional<InstallState> read(KubernetesClient client) {
    ConfigMap cm = client.configMaps().inNamespace(NAMESPACE).withName(NAME).get();
    if (cm == null || cm.getData() == null) {
      return Optional.empty();
    }
    Map<String, String> d = cm.getData();
    String done = d.getOrDefault("components", "");
    return Optional.of(
        new InstallState(
            d.getOrDefault("release", ""),
            d.getOrDefault("commit", ""),
            d.getOrDefault("source", ""),
            d.getOrDefault("phase", ""),
            done.isBlank() ? List.of() : Arrays.asList(done.split(",")),
            d.getOrDefault("updated", ""),
            d.getOrDefault("lastRun", "")));
  }

  InstallState with(String newPhase, List<String> newDone) {
    return new InstallState(
        release, commit, source, newPhase, List.copyOf(newDone), updated, lastRun);
  }

  InstallState withLastRun(String outcome) {
    return new InstallState(release, commit, source, phase, done, updated, outcome);
  }

  InstallState stamped() {
    return new InstallState(
        release, commit, source, phase, done, Instant.now().toString(), lastRun);
  }

  /** The same record but for when it was written, and the order components finished in. */
  boolean sameAs(InstallState o) {
    return release.equals(o.release)
        && commit.equals(o.commit)
        && source.equals(o.source)
        && phase.equals(o.phase)
        && new HashSet<>(done).equals(new HashSet<>(o.done))
        && lastRun.equals(o.lastRun);
  }

  /** The ConfigMap this state is kept in, as install writes it (and the Pulumi stack). */
  public ConfigMap toConfigMap() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("release", release);
    data.put("commit", commit);
    data.put("source", source);
    data.put("phase", phase);
    data.put("components", String.join(",", done));
    data.put("updated", updated);
    if (!lastRun.isEmpty()) {
      data.put("lastRun", lastRun);
    }
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(NAME)
        .withNamespace(NAMESPACE)
        .addToLabels("app.kubernetes.io/managed-by", "kfboot")
        .endMetadata()
        .withData(data)
        .build();
  }

  static void delete(KubernetesClient client) {
    client.configMaps().inNamespace(NAMESPACE).withName(NAME).delete();
  }
}
