package io.kfboot.manifests.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The images controllers start, found where each upstream controller keeps them. */
class RuntimeImagesTest {
  private static List<K8sObject> parse(String yaml) {
    return ManifestParser.parse(yaml, "test");
  }

  @Test
  void envValuesFlagsAndConfigMapKeysOfControllers() {
    List<K8sObject> objects =
        parse(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: pipeline-install-config-abc, namespace: kubeflow}
            data: {cacheImage: registry.k8s.io/busybox, appName: pipeline}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: ml-pipeline, namespace: kubeflow}
            spec:
              template:
                spec:
                  containers:
                  - name: api
                    image: ghcr.io/kubeflow/kfp-api-server:2.5.0
                    env:
                    - {name: V2_DRIVER_IMAGE, value: ghcr.io/kubeflow/kfp-driver:2.5.0}
                    - {name: V2_LAUNCHER_IMAGE, value: ghcr.io/kubeflow/kfp-launcher:2.5.0}
                    - {name: LOG_LEVEL, value: "info"}
                    - name: CACHE_IMAGE
                      valueFrom: {configMapKeyRef: {name: pipeline-install-config-abc, key: cacheImage}}
                  - name: argo
                    image: quay.io/argoproj/workflow-controller:v3.5.14
                    args:
                    - --configmap
                    - workflow-controller-configmap
                    - --executor-image
                    - quay.io/argoproj/argoexec:v3.5.14
                  - name: cert-manager
                    image: quay.io/jetstack/cert-manager-controller:v1.16.1
                    args:
                    - --acme-http01-solver-image=quay.io/jetstack/cert-manager-acmesolver:v1.16.1
                    - --image-pull-policy=Always
            """);
    assertThat(RuntimeImages.images(objects))
        .containsExactly(
            "ghcr.io/kubeflow/kfp-driver:2.5.0",
            "ghcr.io/kubeflow/kfp-launcher:2.5.0",
            "quay.io/argoproj/argoexec:v3.5.14",
            "quay.io/jetstack/cert-manager-acmesolver:v1.16.1",
            "registry.k8s.io/busybox");
  }

  @Test
  void configMapsOfIstioKServeKatibAndTheSpawner() {
    List<K8sObject> objects =
        parse(
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: istio-sidecar-injector, namespace: istio-system}
            data:
              values: |-
                {"global": {"hub": "gcr.io/istio-release", "tag": "1.26.1",
                  "proxy": {"image": "proxyv2"}, "proxy_init": {"image": "proxyv2"}}}
              config: |-
                policy: enabled
                template: '{{ .Values.global.proxy.image }}'
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: inferenceservice-config, namespace: kubeflow}
            data:
              agent: |-
                {
                    "image" : "kserve/agent:v0.15.0",
                    "memoryRequest": "100Mi"
                }
              explainers: |-
                {"art": {"image" : "kserve/art-explainer", "defaultImageVersion": "latest"}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: katib-config, namespace: kubeflow}
            data:
              katib-config.yaml: |
                runtime:
                  metricsCollectors:
                  - {kind: StdOut, image: ghcr.io/kubeflow/katib/file-metrics-collector:v0.18.0}
                  suggestions:
                  - {algorithmName: random, image: ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.18.0}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: jupyter-web-app-config, namespace: kubeflow}
            data:
              spawner_ui_config.yaml: |
                spawnerFormDefaults:
                  imagePullPolicy: {value: IfNotPresent}
                  image:
                    value: ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0
                    options:
                    - ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0
                    - ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-full:v1.10.0
                  imageGroupOne:
                    value: ghcr.io/kubeflow/kubeflow/notebook-servers/codeserver-python:v1.10.0
                    options: []
              logo.svg: "<svg>image</svg>"
            """);
    assertThat(RuntimeImages.images(objects))
        .containsExactly(
            "gcr.io/istio-release/proxyv2:1.26.1",
            "ghcr.io/kubeflow/katib/file-metrics-collector:v0.18.0",
            "ghcr.io/kubeflow/katib/suggestion-hyperopt:v0.18.0",
            "ghcr.io/kubeflow/kubeflow/notebook-servers/codeserver-python:v1.10.0",
            "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-pytorch-full:v1.10.0",
            "ghcr.io/kubeflow/kubeflow/notebook-servers/jupyter-scipy:v1.10.0",
            "kserve/agent:v0.15.0",
            "kserve/art-explainer:latest");
  }

  @Test
  void referencesAreTakenApartAsContainerdResolvesThem() {
    assertThat(ImageRef.parse("mysql:8.0.29"))
        .isEqualTo(new ImageRef("mysql:8.0.29", "docker.io", "library/mysql", "8.0.29", null));
    assertThat(ImageRef.parse("kserve/agent:v0.15.0").registry()).isEqualTo("docker.io");
    assertThat(ImageRef.parse("docker.io/library/busybox:1.37.0").repository())
        .isEqualTo("library/busybox");
    assertThat(ImageRef.parse("localhost:5000/team/app").registry()).isEqualTo("localhost:5000");
    assertThat(ImageRef.parse("localhost:5000/team/app").tag()).isNull();
    ImageRef knative =
        ImageRef.parse(
            "gcr.io/knative-releases/knative.dev/serving/cmd/queue@sha256:"
                + "698ef80ebc698f4d2bb93c1e85684063a0cf253a83faebcbf106cee444181d8e");
    assertThat(knative.registry()).isEqualTo("gcr.io");
    assertThat(knative.repository()).isEqualTo("knative-releases/knative.dev/serving/cmd/queue");
    assertThat(knative.tag()).isNull();
    assertThat(knative.pinnedByDigest()).isTrue();
    assertThat(ImageRef.parse("quay.io/a/b:1.0@sha256:00").tag()).isEqualTo("1.0");
    assertThat(ImageRef.parse("index.docker.io/library/python:3.12").registry())
        .isEqualTo("docker.io");
  }
}
