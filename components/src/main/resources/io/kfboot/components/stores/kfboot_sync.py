# kfboot's wrapper around the release's own Pipelines profile controller hook (/hooks/sync.py),
# for an external S3-compatible object store. Upstream's hook assumes the in-cluster MinIO or
# SeaweedFS: its per-namespace kfp-launcher and Argo artifact-repositories name that service, and in
# 26.03 it mints a key per namespace through SeaweedFS' IAM API, which an external store does not
# offer (kubeflow/manifests recommends a SeaweedFS gateway instead; see docs/stores.md).
#
# The wrapper runs upstream's hook unchanged and rewrites what the hook returns:
#   - each namespace gets the cluster's store credentials (the kubeflow Secret
#     mlpipeline-minio-artifact), as releases up to v1.10 always did, so no IAM call is made;
#   - kfp-launcher's defaultPipelineRoot becomes s3://BUCKET/... with the store as its provider
#     (https://www.kubeflow.org/docs/components/pipelines/operator-guides/configure-object-store/);
#   - Argo's per-namespace artifact repository and the artifact proxy point at the store.
# Written by kfboot; the release's hook is imported, not copied.
import base64
import json
import os
import sys
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sync as upstream  # noqa: E402  the release's hook, mounted beside this file

SECRET = "mlpipeline-minio-artifact"
ENDPOINT = urlsplit(os.environ["KFBOOT_S3_ENDPOINT_URL"])
SECURE = ENDPOINT.scheme == "https"
HOST = ENDPOINT.hostname
PORT = ENDPOINT.port or (443 if SECURE else 80)
REGION = os.environ.get("KFBOOT_S3_REGION", "us-east-1")
BUCKET = os.environ["KFBOOT_S3_BUCKET"]
PATH_STYLE = os.environ.get("KFBOOT_S3_PATH_STYLE", "true") == "true"
ACCESS_KEY = os.environ["KFBOOT_S3_ACCESS_KEY"]
SECRET_KEY = os.environ["KFBOOT_S3_SECRET_KEY"]
# upstream's layout below the bucket where its hook sets none (releases up to v1.10)
DEFAULT_ROOT_PATH = "v2/artifacts"


def cluster_secret(namespace):
    def b64(value):
        return base64.b64encode(value.encode("utf-8")).decode("utf-8")

    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": SECRET, "namespace": namespace},
        "data": {"accesskey": b64(ACCESS_KEY), "secretkey": b64(SECRET_KEY)},
    }


def providers():
    # the launcher's provider for s3:// roots; JSON is YAML, which the launcher parses
    return json.dumps(
        {
            "s3": {
                "default": {
                    "endpoint": f"{ENDPOINT.scheme}://{HOST}:{PORT}",
                    "disableSSL": not SECURE,
                    "region": REGION,
                    "forcePathStyle": PATH_STYLE,
                    "credentials": {
                        "fromEnv": False,
                        "secretRef": {
                            "secretName": SECRET,
                            "accessKeyKey": "accesskey",
                            "secretKeyKey": "secretkey",
                        },
                    },
                }
            }
        }
    )


def pipeline_root(upstream_root):
    # minio://mlpipeline/private-artifacts/NS/v2/artifacts -> s3://BUCKET/private-artifacts/NS/...
    path = DEFAULT_ROOT_PATH
    if upstream_root:
        parts = urlsplit(upstream_root)
        path = parts.path.lstrip("/") or DEFAULT_ROOT_PATH
    return f"s3://{BUCKET}/{path}"


def launcher(namespace, resource):
    data = dict(resource.get("data") or {}) if resource else {}
    data["defaultPipelineRoot"] = pipeline_root(data.get("defaultPipelineRoot"))
    data["providers"] = providers()
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "kfp-launcher", "namespace": namespace},
        "data": data,
    }


def artifact_repository(resource):
    data = dict(resource["data"])
    for key, value in data.items():
        repo = json.loads(value)
        s3 = repo.get("s3")
        if s3 is not None:
            s3["endpoint"] = f"{HOST}:{PORT}"
            s3["bucket"] = BUCKET
            s3["insecure"] = not SECURE
            s3["region"] = REGION
            data[key] = json.dumps(repo)
    return {**resource, "data": data}


def artifact_proxy(resource):
    # the namespace's artifact viewer reads the store as the MinIO client of the Pipelines UI
    env = {
        "MINIO_HOST": HOST,
        "MINIO_PORT": str(PORT),
        "MINIO_SSL": "true" if SECURE else "false",
        "MINIO_NAMESPACE": "",
        "AWS_REGION": REGION,
    }
    for container in resource["spec"]["template"]["spec"]["containers"]:
        kept = [e for e in container.get("env", []) if e["name"] not in env]
        container["env"] = kept + [{"name": k, "value": v} for k, v in env.items()]
    return resource


def rewrite(namespace, desired):
    resources = []
    has_launcher = False
    for r in desired.get("attachments", []):
        kind, name = r.get("kind"), r.get("metadata", {}).get("name")
        if kind == "Secret" and name == SECRET:
            continue
        if kind == "ConfigMap" and name == "kfp-launcher":
            r = launcher(namespace, r)
            has_launcher = True
        elif kind == "ConfigMap" and name == "artifact-repositories":
            r = artifact_repository(r)
        elif kind == "Deployment" and name == "ml-pipeline-ui-artifact":
            r = artifact_proxy(r)
        resources.append(r)
    if desired.get("attachments") is not None and desired.get("status") != {}:
        resources.insert(0, cluster_secret(namespace))
        if not has_launcher:
            resources.insert(1, launcher(namespace, None))
    return {**desired, "attachments": resources}


def main():
    settings = upstream.get_settings_from_env()
    server = upstream.server_factory(**settings)
    controller = server.RequestHandlerClass
    upstream_sync = controller.sync

    def sync(self, parent, attachments):
        namespace = parent.get("metadata", {}).get("name")
        # the cluster's credentials stand in for a per-namespace key, so upstream's hook takes its
        # "existing secret" path and makes no IAM call
        secrets = dict(attachments.get("Secret.v1", {}))
        secrets[f"{namespace}/{SECRET}"] = cluster_secret(namespace)
        attachments = {**attachments, "Secret.v1": secrets}
        return rewrite(namespace, upstream_sync(self, parent, attachments))

    controller.sync = sync
    print(f"kfboot_sync: serving on port {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
