package io.kfboot.components.upgrade;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a command in a pod, as {@code kubectl exec -i} does: standard input given, standard output
 * streamed to where the caller says (a dump may be gigabytes), standard error kept for the message.
 */
@FunctionalInterface
public interface PodExec {
  /**
   * @param stdin streamed to the command's standard input, then closed (secrets go here, never into
   *     argv; a dump to load may be gigabytes)
   * @return the exit code
   */
  int exec(
      String namespace,
      String pod,
      String container,
      List<String> argv,
      InputStream stdin,
      OutputStream stdout,
      ByteArrayOutputStream stderr);

  /** Through the Kubernetes API (pods/exec), with a limit on how long the command may run. */
  static PodExec kubernetes(KubernetesClient client, Duration timeout) {
    return (namespace, pod, container, argv, stdin, stdout, stderr) -> {
      var target = client.pods().inNamespace(namespace).withName(pod);
      var withContainer = container == null ? target : target.inContainer(container);
      try (ExecWatch watch =
          withContainer
              .redirectingInput()
              .writingOutput(stdout)
              .writingError(stderr)
              .exec(argv.toArray(String[]::new))) {
        try (OutputStream in = watch.getInput()) {
          stdin.transferTo(in);
        }
        return watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (IOException | ExecutionException e) {
        throw new KfbootException(
            "exec in pod " + namespace + "/" + pod + " failed: " + e.getMessage(),
            "check that the kubeconfig user may create pods/exec",
            ExitCategory.CLUSTER,
            e);
      } catch (TimeoutException e) {
        throw new KfbootException(
            argv.get(0)
                + " in pod "
                + namespace
                + "/"
                + pod
                + " ran past "
                + timeout.toMinutes()
                + " min",
            "rerun with a longer --timeout",
            ExitCategory.UNEXPECTED_STATE,
            e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new KfbootException("interrupted", "rerun", ExitCategory.UNEXPECTED_STATE, e);
      }
    };
  }

  static String text(ByteArrayOutputStream b) {
    return b.toString(StandardCharsets.UTF_8).strip();
  }
}
