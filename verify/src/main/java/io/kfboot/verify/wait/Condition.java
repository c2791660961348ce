package io.kfboot.verify.wait;

import java.util.List;
import java.util.function.Supplier;

/** Something about the cluster that is true or not yet true. */
public interface Condition {
  /** What is awaited, e.g. "Deployment kubeflow/ml-pipeline Available". */
  String description();

  /** Looks once. Transient API failures may throw; the waiter treats them as "not yet". */
  ConditionResult check();

  /**
   * The watched object whose changes can make this condition hold ({@link ClusterWatch#key}), or
   * null to look again on any change.
   */
  default String watchKey() {
    return null;
  }

  /** The namespaces whose pods and events explain this condition when it does not hold. */
  default List<String> namespaces() {
    return List.of();
  }

  /** A condition from its parts, looked at again on any change. */
  static Condition of(
      String description, List<String> namespaces, Supplier<ConditionResult> check) {
    return of(description, null, namespaces, check);
  }

  /**
   * A condition from its parts, looked at again when the watched object {@code watchKey} changes.
   */
  static Condition of(
      String description,
      String watchKey,
      List<String> namespaces,
      Supplier<ConditionResult> check) {
    return new Condition() {
      @Override
      public String watchKey() {
        return watchKey;
      }

      @Override
      public String description() {
        return description;
      }

      @Override
      public ConditionResult check() {
        return check.get();
      }

      @Override
      public List<String> namespaces() {
        return namespaces;
      }

      @Override
      public String toString() {
        return description;
      }
    };
  }
}
