package io.kfboot.platform;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.components.upgrade.ClusterFacts;
import io.kfboot.components.upgrade.DatabaseDump;
import io.kfboot.components.upgrade.PodExec;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The backup an upgrade takes before it changes anything: a {@code mysqldump} of Pipelines' and of
 * Katib's databases, made in their MySQL pods and streamed to 0600 files on this machine, under
 * {@code $XDG_STATE_HOME/kfboot/backups/CLUSTER/RELEASE-TIME/} unless a folder is given.
 */
public final class Backups {
  private final KubernetesClient client;
  private final PodExec exec;

  public Backups(KubernetesClient client, PodExec exec) {
    this.client = client;
    this.exec = exec;
  }

  public static Path defaultDir(Map<String, String> env, String cluster, String release) {
    Path state = XdgDirs.stateHome(env);
    String time =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC)
            .format(Instant.now());
    return state
        .resolve("kfboot")
        .resolve("backups")
        .resolve(cluster)
        .resolve(release + "-" + time);
  }

  /** Dumps the databases the installed release runs; the files written. */
  public List<Path> take(InstallPlan installed, Path dir) {
    List<Path> out = new ArrayList<>();
    if (has(installed, "kubeflow", "mysql")) {
      ConfigMap config =
          client.configMaps().inNamespace("kubeflow").withName("pipeline-install-config").get();
      Map<String, String> d =
          config == null || config.getData() == null ? Map.of() : config.getData();
      Secret secret = secret("kubeflow", "mysql-secret");
      out.add(
          new DatabaseDump(exec)
              .dump(
                  "kubeflow",
                  pod("kubeflow", "app", "mysql"),
                  null,
                  new DatabaseDump.Target(
                      "pipelines",
                      3306,
                      value(secret, "username").orElse("root"),
                      List.of(
                          d.getOrDefault("pipelineDb", "mlpipeline"),
                          d.getOrDefault("cacheDb", "cachedb"),
                          d.getOrDefault("mlmdDb", "metadb"))),
                  value(secret, "password").orElse(""),
                  dir));
    }
    if (has(installed, "kubeflow", "katib-mysql")) {
      Secret secret = secret("kubeflow", "katib-mysql-secrets");
      out.add(
          new DatabaseDump(exec)
              .dump(
                  "kubeflow",
                  pod("kubeflow", "katib.kubeflow.org/component", "mysql"),
                  null,
                  new DatabaseDump.Target("katib", 3306, "root", List.of("katib")),
                  value(secret, "MYSQL_ROOT_PASSWORD").orElse(""),
                  dir));
    }
    return out;
  }

  private static boolean has(InstallPlan plan, String namespace, String deployment) {
    return plan.components().stream()
        .flatMap(c -> c.objects().stream())
        .anyMatch(
            (K8sObject o) ->
                o.kind().equals("Deployment")
                    && namespace.equals(o.namespace())
                    && o.name().equals(deployment));
  }

  private Secret secret(String namespace, String name) {
    Secret s = client.secrets().inNamespace(namespace).withName(name).get();
    if (s == null) {
      throw new KfbootException(
          "the database Secret "
              + namespace
              + "/"
              + name
              + " is missing, so kfboot cannot log in to back up",
          "rerun 'kfboot install' for the installed release, or give --skip-backup if you keep your"
              + " own",
          ExitCategory.UNEXPECTED_STATE);
    }
    return s;
  }

  private static Optional<String> value(Secret s, String key) {
    return ClusterFacts.secretValue(s, key);
  }

  private String pod(String namespace, String label, String value) {
    return ClusterFacts.runningPod(client, namespace, label, value)
        .orElseThrow(
            () ->
                new KfbootException(
                    "no running pod "
                        + label
                        + "="
                        + value
                        + " in "
                        + namespace
                        + " to back up from",
                    "the database must run for its backup: check 'kubectl get pods -n "
                        + namespace
                        + " -l "
                        + label
                        + "="
                        + value
                        + "'",
                    ExitCategory.UNEXPECTED_STATE));
  }
}
