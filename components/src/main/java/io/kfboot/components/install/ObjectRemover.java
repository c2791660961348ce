package io.kfboot.components.install;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.manifests.parse.K8sObject;
import io.kfboot.manifests.parse.Scopes;
import io.kfboot.verify.VerifyException;
import io.kfboot.verify.diagnostics.Diagnostics;
import io.kfboot.verify.wait.Condition;
import io.kfboot.verify.wait.ConditionResult;
import io.kfboot.verify.wait.Waiter;
import java.time.Duration;
import java.util.List;

/**
 * Deletes objects kfboot applied, addressed as the install engine addresses them (custom resources
 * through the CRDs of the plans given, or the cluster's), with the engine's retries for transient
 * failures; for an upgrade's deletes before the apply and its prune.
 */
public final class ObjectRemover {
  private final KubernetesClient client;
  private final ObjectApplier applier;
  private final Scopes scopes;
  private final Duration poll;
  private final Diagnostics diagnostics;

  /**
   * @param known the objects of the plans involved: their CRDs tell how to address custom resources
   *     and which kinds are cluster-scoped
   */
  public ObjectRemover(
      KubernetesClient client,
      Installer.Options options,
      Diagnostics diagnostics,
      List<K8sObject> known) {
    this.client = client;
    this.diagnostics = diagnostics;
    this.applier =
        new ObjectApplier(
            client, options.retry(), (w, a, n, e, p) -> {}, ObjectApplier.crdsByKind(known));
    this.scopes = new Scopes(known);
    this.poll = options.poll();
  }

  /**
   * Whether {@code o} is cluster-scoped: by its kind, or, for an object only an inventory names, by
   * its having no namespace.
   */
  public boolean clusterScoped(K8sObject o) {
    return scopes.isClusterScoped(o) || o.namespace() == null;
  }

  public boolean exists(K8sObject o) {
    return applier.exists(o, clusterScoped(o));
  }

  /** Deletes {@code o}; true if it was there. */
  public boolean delete(K8sObject o) {
    return applier.delete(o, clusterScoped(o));
  }

  /**
   * Deletes {@code o} and waits until the API server no longer has it (a Deployment or a binding
   * recreated at once must not meet its terminating predecessor).
   *
   * @throws InstallException when it is still there after {@code timeout}, with diagnostics
   */
  public void deleteAndAwaitGone(K8sObject o, Duration timeout) {
    if (!delete(o)) {
      return;
    }
    Condition gone =
        Condition.of(
            o.key() + " gone",
            o.namespace() == null ? List.of() : List.of(o.namespace()),
            () ->
                exists(o)
                    ? ConditionResult.pending("still there (a finalizer may hold it)")
                    : ConditionResult.met("gone"));
    try {
      new Waiter(poll, diagnostics, Waiter.Listener.NONE).await(gone, timeout);
    } catch (VerifyException e) {
      throw new InstallException(
          e.getMessage(),
          "find the finalizer that holds it (kubectl get -o yaml) and the controller that should"
              + " clear it; then rerun",
          e.diagnostics(),
          true,
          e);
    } catch (Waiter.WaitInterruptedException e) {
      throw new InstallInterruptedException(e.getMessage());
    }
  }

  KubernetesClient client() {
    return client;
  }
}
