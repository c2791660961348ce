package io.kfboot.core;

/**
 * What kind of failure a {@link KfbootException} is, which is all a front end needs to choose its
 * exit code (the CLI's {@code ExitCodes}) or its message. Each category names who can fix it.
 */
public enum ExitCategory {
  /** Bad flags, inventory, config or catalog: the user's input. */
  INVALID_INPUT,
  /** A wait, a check or the cluster's record found things not as expected. */
  UNEXPECTED_STATE,
  /** A bug in kfboot. */
  INTERNAL,
  /** A tool kfboot drives (kustomize, the pulumi CLI, Docker) is missing or too old. */
  MISSING_TOOL,
  /** Bytes are not what was pinned, or an archive is corrupt or hostile. */
  INTEGRITY,
  /** A download failed, or the input needs the network while kfboot stays offline. */
  NETWORK,
  /** kustomize failed on a path, or its output is not Kubernetes YAML. */
  RENDER_FAILED,
  /** The cluster's API refused a request or could not be reached. */
  CLUSTER,
  /** A host could not be reached over SSH, refused its key, or a step on it failed. */
  HOST
}
