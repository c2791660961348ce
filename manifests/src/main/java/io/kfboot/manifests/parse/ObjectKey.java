package io.kfboot.manifests.parse;

/**
 * Identifies an object the way the API server does: group, kind, namespace (empty when
 * cluster-scoped or unset) and name. The API version is not part of identity.
 */
public record ObjectKey(String group, String kind, String namespace, String name)
    implements Comparable<ObjectKey> {

  public ObjectKey {
    namespace = namespace == null ? "" : namespace;
  }

  @Override
  public int compareTo(ObjectKey o) {
    int c = group.compareTo(o.group);
    if (c == 0) c = kind.compareTo(o.kind);
    if (c == 0) c = namespace.compareTo(o.namespace);
    if (c == 0) c = name.compareTo(o.name);
    return c;
  }

  /** "Deployment kubeflow/ml-pipeline", "CustomResourceDefinition notebooks.kubeflow.org". */
  @Override
  public String toString() {
    return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name;
  }
}
