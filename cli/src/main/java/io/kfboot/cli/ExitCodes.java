package io.kfboot.cli;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kfboot.bootstrap.host.HostException;
import io.kfboot.bootstrap.inventory.InventoryException;
import io.kfboot.components.auth.CredentialsException;
import io.kfboot.components.catalog.CatalogException;
import io.kfboot.components.install.InstallException;
import io.kfboot.verify.VerifyException;
import io.kfboot.manifests.ManifestsException;
import picocli.CommandLine;

/**
 * Every exit code kfboot uses, and the one place exceptions become exit codes. The README's "Exit
 * codes" table lists the same.
 */
public final class ExitCodes {
  public static final int OK = 0;
  /** Bad flags, unknown release or component, a path that does not exist, a bad catalog. */
  public static final int INVALID_INPUT = 2;
  /** A wait or verification found the cluster not as expected. */
  public static final int UNEXPECTED_STATE = 3;
  /** A bug in kfboot; the message asks for a report. */
  public static final int INTERNAL = 4;
  /** kustomize is missing or too old; the pulumi CLI is missing for 'up --engine pulumi'. */
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

  public static int forException(Throwable e) {
    if (e instanceof UpCommand.MissingToolException) {
      return MISSING_TOOL;
    }
    if (e instanceof CommandLine.ParameterException
        || e instanceof CatalogException
        || e instanceof CliException
        || e instanceof CredentialsException
        || e instanceof InventoryException) {
      return INVALID_INPUT;
    }
    if (e instanceof HostException) {
      return HOST;
    }
    if (e instanceof InstallException ie) {
      return ie.stateProblem() ? UNEXPECTED_STATE : CLUSTER;
    }
    if (e instanceof VerifyException) {
      return UNEXPECTED_STATE;
    }
    if (e instanceof KubernetesClientException) {
      return CLUSTER;
    }
    if (e instanceof ManifestsException.InvalidSourceException
        || e instanceof ManifestsException.UnknownReleaseException) {
      return INVALID_INPUT;
    }
    if (e instanceof ManifestsException.KustomizeUnavailableException) {
      return MISSING_TOOL;
    }
    if (e instanceof ManifestsException.IntegrityException
        || e instanceof ManifestsException.ArchiveException) {
      return INTEGRITY;
    }
    if (e instanceof ManifestsException.DownloadException
        || e instanceof ManifestsException.RemoteBasesException) {
      return NETWORK;
    }
    if (e instanceof ManifestsException.RenderException
        || e instanceof ManifestsException.ParseException) {
      return RENDER_FAILED;
    }
    return INTERNAL;
  }
}
