package io.kfboot.components.upgrade;

import io.kfboot.components.install.AppliedInventory.Entry;
import java.util.Optional;
import java.util.Set;

/**
 * Which objects an upgrade never prunes, though the new release no longer renders them: those that
 * hold or own user data. Upstream's README: "Never delete the Profiles CRD; it would delete every
 * profile namespace" (kubeflow/manifests 26.03 README, "Upgrading and Extending"); a CRD's deletion
 * deletes every object of its kind (a user's PyTorchJobs when v1.11 drops the training operator); a
 * Namespace's deletion takes all it holds; a claim's its volume.
 */
public final class KeepRules {
  /** Secrets whose values kfboot generated (users log in with them); see CredentialsPatch. */
  private static final Set<String> GENERATED_SECRETS =
      Set.of("auth/dex-passwords", "auth/dex-oidc-client", "istio-system/oidc-authservice-client");

  private KeepRules() {}

  /** How a removed object is treated, why, and what a person can do. */
  public record Keep(Disposition disposition, String why, String whatToDo) {}

  public enum Disposition {
    /** deleted after the new release is applied, in reverse dependency order */
    PRUNE,
    /** left on the cluster (and in kfboot's inventory) whatever it holds */
    KEEP,
    /** a CRD: left while any object of its kind exists anywhere, pruned when none does */
    KEEP_IF_IN_USE
  }

  public static Keep of(Entry e) {
    return rule(e).orElse(new Keep(Disposition.PRUNE, "the new release no longer has it", ""));
  }

  private static Optional<Keep> rule(Entry e) {
    String group = e.key().group();
    String ref = e.namespace() + "/" + e.name();
    if (e.kind().equals("CustomResourceDefinition")) {
      return Optional.of(
          new Keep(
              Disposition.KEEP_IF_IN_USE,
              "deleting a CRD deletes every object of its kind, which users made",
              "when no object of it is left that you need: kubectl delete crd " + e.name()));
    }
    if (e.kind().equals("Namespace") && group.isEmpty()) {
      return Optional.of(
          new Keep(
              Disposition.KEEP,
              "deleting a namespace deletes everything in it",
              "once it holds nothing you need: kubectl delete namespace " + e.name()));
    }
    if (e.kind().equals("PersistentVolumeClaim") && group.isEmpty()) {
      return Optional.of(
          new Keep(
              Disposition.KEEP,
              "its volume holds data",
              "copy out what you need, then: kubectl delete pvc -n "
                  + e.namespace()
                  + " "
                  + e.name()));
    }
    if (e.kind().equals("Profile") && group.equals("kubeflow.org")) {
      return Optional.of(
          new Keep(
              Disposition.KEEP,
              "deleting a Profile deletes its namespace and everything in it",
              "kubectl delete profile " + e.name() + " once its owner agrees"));
    }
    if (e.kind().equals("Secret")
        && group.isEmpty()
        && (GENERATED_SECRETS.contains(ref)
            // oauth2-proxy's is made by a kustomize secret generator: its name has a hash suffix
            || (e.namespace().equals("oauth2-proxy") && e.name().startsWith("oauth2-proxy")))) {
      return Optional.of(
          new Keep(
              Disposition.KEEP,
              "it holds credentials kfboot generated",
              "kubectl delete secret -n " + e.namespace() + " " + e.name() + " once unused"));
    }
    return Optional.empty();
  }
}
