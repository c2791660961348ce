package io.kfboot.components.upgrade;

import java.util.List;

/**
 * One thing an upgrade between two releases needs besides applying the new render and pruning what
 * it no longer holds; read from {@code upgrades.yaml}, where each says why and where it comes from.
 */
public sealed interface UpgradeStep {
  String why();

  String source();

  /** One line for the plan: "delete ClusterRoleBinding meta-controller-cluster-role-binding". */
  String describe();

  /**
   * An object of the old release, by kind, namespace (empty: cluster-scoped or, for profile
   * objects, each profile namespace) and name.
   */
  record ObjectRef(String kind, String namespace, String name) {
    public ObjectRef {
      namespace = namespace == null ? "" : namespace;
    }

    @Override
    public String toString() {
      return kind + " " + (namespace.isEmpty() ? "" : namespace + "/") + name;
    }
  }

  /** Deleted before the new render is applied (a roleRef that changes; a filter that must go). */
  record DeleteBeforeApply(ObjectRef object, String why, String source) implements UpgradeStep {
    @Override
    public String describe() {
      return "delete " + object + " before the apply";
    }
  }

  /** A CRD's objects rewritten from a stored version the new release drops. */
  record MigrateStoredVersion(String crd, String from, String to, String why, String source)
      implements UpgradeStep {
    @Override
    public String describe() {
      return "rewrite every " + crd + " stored as " + from + " in " + to + " before the apply";
    }
  }

  /**
   * Pods of a store, by namespace and label selector, and the port their S3 API listens on; a pod
   * rather than a Service, since a release may point the old Service at the new store.
   */
  record Endpoint(String namespace, String pods, int port) {
    @Override
    public String toString() {
      return "pods " + pods + " in " + namespace + " port " + port;
    }
  }

  /**
   * The bucket copied from the old store to the new one, both reached with the keys in {@code
   * secret}.
   */
  record CopyBucket(
      String bucket,
      String secret,
      String accessKeyField,
      String secretKeyField,
      Endpoint from,
      Endpoint to,
      String why,
      String source)
      implements UpgradeStep {
    @Override
    public String describe() {
      return "copy bucket " + bucket + " from " + from + " to " + to + ", objects compared";
    }
  }

  /**
   * Per-profile-namespace objects deleted after the apply so that their controller makes them
   * again.
   */
  record ResetProfileObjects(List<ObjectRef> objects, String why, String source)
      implements UpgradeStep {
    public ResetProfileObjects {
      objects = List.copyOf(objects);
    }

    @Override
    public String describe() {
      return "in every profile namespace, delete "
          + String.join(", ", objects.stream().map(ObjectRef::toString).toList())
          + " for the profile controller to make again";
    }
  }
}
