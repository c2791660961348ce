package io.kfboot.verify.check;

import io.fabric8.kubernetes.client.KubernetesClient;
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
  static final String PYTHON = "docker.io/library/python:3.12-alpine";
  private static final Map<String, Object> NO_SIDECAR = Map.of("sidecar.istio.io/inject", "false");

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

  private static Map<String, Object> meta(String name, String namespace) {
    return Map.of("name", name, "namespace", namespace);
  }

  public static VerifyCheck pytorchJob(String namespace) {
    Map<String, Object> container =
        Map.of(
            "name",
            "pytorch",
            "image",
            PYTHON,
            "command",
            List.of("python3", "-c", "print('kfboot: training job ran')"));
    Map<String, Object> master =
        Map.of(
            "replicas",
            1,
            "restartPolicy",
            "OnFailure",
            "template",
            Map.of(
                "metadata",
                Map.of("labels", NO_SIDECAR),
                "spec",
                Map.of("containers", List.of(container))));
    Map<String, Object> body =
        Map.of(
            "apiVersion",
            "kubeflow.org/v1",
            "kind",
            "PyTorchJob",
            "metadata",
            meta("kfboot-verify-pytorch", namespace),
            "spec",
            Map.of("pytorchReplicaSpecs", Map.of("Master", master)));
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
    Map<String, Object> body =
        Map.of(
            "apiVersion",
            "trainer.kubeflow.org/v1alpha1",
            "kind",
            "TrainJob",
            "metadata",
            meta("kfboot-verify-trainjob", namespace),
            "spec",
            Map.of(
                "runtimeRef",
                Map.of("name", "torch-distributed"),
                "trainer",
                Map.of(
                    "image",
                    PYTHON,
                    "command",
                    List.of("python3", "-c", "print('kfboot: train job ran')"),
                    "numNodes",
                    1,
                    "resourcesPerNode",
                    Map.of("requests", Map.of("cpu", "100m", "memory", "128Mi")))));
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
    Map<String, Object> trialJob =
        Map.of(
            "apiVersion",
            "batch/v1",
            "kind",
            "Job",
            "spec",
            Map.of(
                "template",
                Map.of(
                    "metadata", Map.of("annotations", NO_SIDECAR),
                    "spec",
                        Map.of(
                            "restartPolicy",
                            "Never",
                            "containers",
                            List.of(
                                Map.of(
                                    "name",
                                    "training-container",
                                    "image",
                                    PYTHON,
                                    "command",
                                    List.of(
                                        "python3",
                                        "-c",
                                        "print('loss=0.05')  #"
                                            + " lr=${trialParameters.learningRate}")))))));
    Map<String, Object> body =
        Map.of(
            "apiVersion",
            "kubeflow.org/v1beta1",
            "kind",
            "Experiment",
            "metadata",
            meta("kfboot-verify-grid", namespace),
            "spec",
            Map.of(
                "objective",
                Map.of("type", "minimize", "goal", 0.1, "objectiveMetricName", "loss"),
                "algorithm",
                Map.of("algorithmName", "grid"),
                "parallelTrialCount",
                2,
                "maxTrialCount",
                2,
                "maxFailedTrialCount",
                2,
                "parameters",
                List.of(
                    Map.of(
                        "name",
                        "lr",
                        "parameterType",
                        "double",
                        "feasibleSpace",
                        Map.of("min", "0.01", "max", "0.02", "step", "0.01"))),
                "trialTemplate",
                Map.of(
                    "primaryContainerName",
                    "training-container",
                    "trialParameters",
                    List.of(
                        Map.of(
                            "name",
                            "learningRate",
                            "description",
                            "learning rate",
                            "reference",
                            "lr")),
                    "trialSpec",
                    trialJob)));
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
    Map<String, Object> claim =
        Map.of(
            "apiVersion",
            "v1",
            "kind",
            "PersistentVolumeClaim",
            "metadata",
            meta(name + "-workspace", namespace),
            "spec",
            Map.of(
                "accessModes",
                List.of("ReadWriteOnce"),
                "resources",
                Map.of("requests", Map.of("storage", "1Gi"))));
    Map<String, Object> container =
        Map.of(
            "name",
            name,
            "image",
            "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter:v1.10.0",
            "volumeMounts",
            List.of(Map.of("name", "workspace", "mountPath", "/home/jovyan")),
            "resources",
            Map.of("requests", Map.of("cpu", "0.1", "memory", "256Mi")));
    Map<String, Object> body =
        Map.of(
            "apiVersion",
            "kubeflow.org/v1",
            "kind",
            "Notebook",
            "metadata",
            meta(name, namespace),
            "spec",
            Map.of(
                "template",
                Map.of(
                    "spec",
                    Map.of(
                        "containers",
                        List.of(container),
                        "serviceAccountName",
                        "default-editor",
                        "volumes",
                        List.of(
                            Map.of(
                                "name",
                                "workspace",
                                "persistentVolumeClaim",
                                Map.of("claimName", name + "-workspace")))))));
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
    Map<String, Object> body =
        Map.of(
            "apiVersion",
            "serving.kserve.io/v1beta1",
            "kind",
            "InferenceService",
            "metadata",
            meta(name, namespace),
            "spec",
            Map.of(
                "predictor",
                Map.of(
                    "sklearn",
                    Map.of(
                        "storageUri",
                        "gs://kfserving-examples/models/sklearn/1.0/model",
                        "resources",
                        Map.of(
                            "requests",
                            Map.of("cpu", "50m", "memory", "128Mi"),
                            "limits",
                            Map.of("cpu", "100m", "memory", "256Mi"))))));
    Map<String, Object> route =
        Map.of(
            "apiVersion",
            "networking.istio.io/v1beta1",
            "kind",
            "VirtualService",
            "metadata",
            meta(name + "-path", namespace),
            "spec",
            Map.of(
                "gateways",
                List.of("kubeflow/kubeflow-gateway"),
                "hosts",
                List.of("*"),
                "http",
                List.of(
                    Map.of(
                        "match",
                            List.of(
                                Map.of(
                                    "uri",
                                    Map.of("prefix", "/kserve/" + namespace + "/" + name + "/"))),
                        "rewrite", Map.of("uri", "/"),
                        "route",
                            List.of(
                                Map.of(
                                    "destination",
                                    Map.of(
                                        "host",
                                        "knative-local-gateway.istio-system.svc.cluster.local"),
                                    "headers",
                                    Map.of(
                                        "request",
                                        Map.of(
                                            "set",
                                            Map.of(
                                                "Host",
                                                name
                                                    + "-predictor."
                                                    + namespace
                                                    + ".svc.cluster.local"))),
                                    "weight",
                                    100)),
                        "timeout", "300s"))));
    Map<String, Object> allow =
        Map.of(
            "apiVersion",
            "security.istio.io/v1beta1",
            "kind",
            "AuthorizationPolicy",
            "metadata",
            meta(name + "-allow", namespace),
            "spec",
            Map.of(
                "action",
                "ALLOW",
                "rules",
                List.of(Map.of()),
                "selector",
                Map.of("matchLabels", Map.of("serving.knative.dev/service", name + "-predictor"))));
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
