package io.kfboot.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import picocli.CommandLine;

/**
 * Every exit code kfboot uses, and the one place failures become exit codes: a {@link
 * KfbootException} by its category, the two foreign failures kfboot lets through (picocli's usage
 * errors, fabric8's API errors) by their kind, anything else as a bug. docs/cli.md lists the same.
 */
public final class ExitCodes {
  public static final int OK = 0;

  /** Bad flags, unknown release or component, a path that does not exist, a bad catalog. */
  public static final int INVALID_INPUT = 2;

  /** A wait or verification found the cluster not as expected. */
  public static final int UNEXPECTED_STATE = 3;

  /** A bug in kfboot; the message asks for a report. */
  public static final int INTERNAL = 4;

  /** kustomize is missing or too old; the pulumi CLI or Docker is missing. */
  public static final int MISSING_TOOL = 5;

  /** Bytes are not what was pinned, or an archive is corrupt or hostile. */
  public static final int INTEGRITY = 6;

  /** A download failed, or the input needs the network while kfboot stays offline. */
  public static final int NETWORK = 7;

  /** kustomize failed on a path, or its output is not Kubernetes YAML. */
  public static final int RENDER_FAILED = 8;

  /** The cluster's API refused a request (forbidden, invalid) or could not be reached. */
  public static final int CLUSTER = 9;

  /** A host could not be reached over SSH, refused its key, or a step on it failed. */
  public static final int HOST = 10;

  private ExitCodes() {}

  public static int of(ExitCategory category) {
    return switch (category) {
      case INVALID_INPUT -> INVALID_INPUT;
      case UNEXPECTED_STATE -> UNEXPECTED_STATE;
      case INTERNAL -> INTERNAL;
      case MISSING_TOOL -> MISSING_TOOL;
      case INTEGRITY -> INTEGRITY;
      case NETWORK -> NETWORK;
      case RENDER_FAILED -> RENDER_FAILED;
      case CLUSTER -> CLUSTER;
      case HOST -> HOST;
    };
  }

  public static int forException(Throwable e) {
    if (e instanceof KfbootException k) {
      return of(k.category());
    }
    if (e instanceof CommandLine.ParameterException) {
      return INVALID_INPUT;
    }
    if (e instanceof KubernetesClientException) {
      return CLUSTER;
    }
    return INTERNAL;
  }
}
