package io.kfboot.verify.check;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.core.ObjectTemplate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What kubeflow/manifests' own CI runs to prove components work (tests/training_operator_job.yaml,
 * katib_test.yaml, notebook.test...yaml, kserve_test.yaml at v1.10.2; trainer_job.yaml from v1.11),
 * made small: a PyTorchJob or a TrainJob, a two-trial grid Experiment, a Notebook on a claim, and a
 * scikit-learn InferenceService, each in the user's profile namespace, each offered only where its
 * CRD is served. The training and trial containers are plain Python images printing what the
 * controllers read (Katib's StdOut collector parses "loss=0.05"), so that verify proves the
 * controllers, not a model download.
 */
public final class PlatformRuns {
  public static final String DEFAULT_NAMESPACE = "kubeflow-user-example-com";

  private PlatformRuns() {}

  public static List<VerifyCheck> offered(KubernetesClient client, String namespace) {
    return offered(client, namespace, null, null);
  }

  /**
   * @param predict what to do with a Ready InferenceService (a predict call), or null for Ready
   *     alone
   * @param openNotebook what to do with a Ready Notebook (open it through the gateway), or null
   */
  public static List<VerifyCheck> offered(
      KubernetesClient client,
      String namespace,
      ResourceRunCheck.AfterReady predict,
      ResourceRunCheck.AfterReady openNotebook) {
    List<VerifyCheck> checks = new ArrayList<>();
    if (ResourceRunCheck.served(client, "pytorchjobs", "kubeflow.org")) {
      checks.add(pytorchJob(namespace));
    }
    if (ResourceRunCheck.served(client, "trainjobs", "trainer.kubeflow.org")) {
      checks.add(trainJob(namespace));
    }
    if (ResourceRunCheck.served(client, "experiments", "kubeflow.org")) {
      checks.add(katibExperiment(namespace));
    }
    if (ResourceRunCheck.served(client, "notebooks", "kubeflow.org")) {
      checks.add(notebook(namespace, openNotebook));
    }
    if (ResourceRunCheck.served(client, "inferenceservices", "serving.kserve.io")) {
      checks.add(inferenceService(namespace, predict));
    }
    return checks;
  }

  private static final ObjectTemplate RUNS =
      ObjectTemplate.load(PlatformRuns.class, "platform-runs.yaml");

  /** The template's object of this kind and name, in {@code namespace}. */
  private static Map<String, Object> run(String kind, String name, String namespace) {
    return RUNS.object(kind, name).namespace(namespace).done();
  }

  public static VerifyCheck pytorchJob(String namespace) {
    Map<String, Object> body = run("PyTorchJob", "kfboot-verify-pytorch", namespace);
    return new ResourceRunCheck(
        "training-job",
        "a PyTorchJob runs to Succeeded (training-operator)",
        List.of("pods-healthy"),
        Duration.ofMinutes(10),
        body,
        "pytorchjobs",
        "Succeeded",
        "Failed");
  }

  /**
   * Releases from v1.11 on ship Kubeflow Trainer instead of the training-operator: a TrainJob on
   * the torch-distributed ClusterTrainingRuntime, as their tests/trainer_job.yaml, runs to
   * Complete.
   */
  public static VerifyCheck trainJob(String namespace) {
    Map<String, Object> body = run("TrainJob", "kfboot-verify-trainjob", namespace);
    return new ResourceRunCheck(
        "train-job",
        "a TrainJob runs to Complete (Kubeflow Trainer)",
        List.of("pods-healthy"),
        Duration.ofMinutes(10),
        body,
        "trainjobs",
        "Complete",
        "Failed");
  }

  public static VerifyCheck katibExperiment(String namespace) {
    Map<String, Object> body = run("Experiment", "kfboot-verify-grid", namespace);
    return new ResourceRunCheck(
        "katib-experiment",
        "a two-trial grid Experiment Succeeds (Katib)",
        List.of("pods-healthy"),
        Duration.ofMinutes(15),
        body,
        "experiments",
        "Succeeded",
        "Failed");
  }

  public static VerifyCheck notebook(String namespace) {
    return notebook(namespace, null);
  }

  /**
   * @param open what to do once it is Ready (its server answering through the gateway), or null
   */
  public static VerifyCheck notebook(String namespace, ResourceRunCheck.AfterReady open) {
    String name = "kfboot-verify-notebook";
    Map<String, Object> claim = run("PersistentVolumeClaim", name + "-workspace", namespace);
    Map<String, Object> body = run("Notebook", name, namespace);
    return new ResourceRunCheck(
        "notebook",
        "a Notebook with a workspace claim becomes Ready"
            + (open == null ? "" : " and answers through the gateway"),
        open == null
            ? List.of("pods-healthy", "storage-probe")
            : List.of("pods-healthy", "storage-probe", "dex-login"),
        Duration.ofMinutes(10),
        body,
        "notebooks",
        "Ready",
        null,
        List.of(claim),
        open);
  }

  public static VerifyCheck inferenceService(String namespace) {
    return inferenceService(namespace, null);
  }

  /**
   * The InferenceService becomes Ready; with {@code predict}, also answers a predict call on the
   * path a VirtualService routes to it, which an AuthorizationPolicy opens to a service-account
   * token, as upstream's tests/kserve_test.sh sets up (both made and removed with it).
   */
  public static VerifyCheck inferenceService(
      String namespace, ResourceRunCheck.AfterReady predict) {
    String name = "kfboot-verify-sklearn";
    Map<String, Object> body = run("InferenceService", name, namespace);
    Map<String, Object> route = run("VirtualService", name + "-path", namespace);
    Map<String, Object> allow = run("AuthorizationPolicy", name + "-allow", namespace);
    return new ResourceRunCheck(
        "inference-service",
        "a scikit-learn InferenceService becomes Ready"
            + (predict == null ? "" : " and predicts the iris classes")
            + " (KServe)",
        List.of("pods-healthy"),
        Duration.ofMinutes(10),
        body,
        "inferenceservices",
        "Ready",
        null,
        predict == null ? List.of() : List.of(route, allow),
        predict);
  }
}
