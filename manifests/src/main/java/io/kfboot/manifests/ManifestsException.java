package io.kfboot.manifests;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;

/**
 * Root of everything that can go wrong while turning a kubeflow/manifests release into objects.
 *
 * <p>Every subclass carries a message that names the problem and a {@link #fix()} that names the
 * way out, so a caller can print both without knowing the subclass. Subclasses exist so that the
 * CLI can map them to distinct exit codes.
 */
public abstract class ManifestsException extends KfbootException {
  protected ManifestsException(String message, String fix, ExitCategory category, Throwable cause) {
    super(message, fix, category, cause);
  }

  protected ManifestsException(String message, String fix, ExitCategory category) {
    this(message, fix, category, null);
  }

  /** A release that kfboot has no pin for, or a source it cannot identify. */
  public static final class UnknownReleaseException extends ManifestsException {
    public UnknownReleaseException(String message, String fix) {
      super(message, fix, ExitCategory.INVALID_INPUT);
    }
  }

  /** A local path or option that does not exist or makes no sense. */
  public static final class InvalidSourceException extends ManifestsException {
    public InvalidSourceException(String message, String fix) {
      super(message, fix, ExitCategory.INVALID_INPUT);
    }
  }

  /** The bytes are not what was pinned: commit id or sha256 mismatch. */
  public static final class IntegrityException extends ManifestsException {
    public IntegrityException(String message, String fix) {
      super(message, fix, ExitCategory.INTEGRITY);
    }
  }

  /** A corrupt, truncated or hostile archive. */
  public static final class ArchiveException extends ManifestsException {
    public ArchiveException(String message, String fix, Throwable cause) {
      super(message, fix, ExitCategory.INTEGRITY, cause);
    }

    public ArchiveException(String message, String fix) {
      super(message, fix, ExitCategory.INTEGRITY);
    }
  }

  /** A download that failed after its retries, or a non-retryable HTTP answer. */
  public static final class DownloadException extends ManifestsException {
    public DownloadException(String message, String fix, Throwable cause) {
      super(message, fix, ExitCategory.NETWORK, cause);
    }
  }

  /** No kustomize, or one too old for the release. */
  public static final class KustomizeUnavailableException extends ManifestsException {
    public KustomizeUnavailableException(String message, String fix) {
      super(message, fix, ExitCategory.MISSING_TOOL);
    }
  }

  /** kustomize ran and failed, or ran past its timeout. */
  public static final class RenderException extends ManifestsException {
    public RenderException(String message, String fix, Throwable cause) {
      super(message, fix, ExitCategory.RENDER_FAILED, cause);
    }

    public RenderException(String message, String fix) {
      super(message, fix, ExitCategory.RENDER_FAILED);
    }
  }

  /** Kustomizations that point at the network while kfboot was asked to stay offline. */
  public static final class RemoteBasesException extends ManifestsException {
    public RemoteBasesException(String message, String fix) {
      super(message, fix, ExitCategory.NETWORK);
    }
  }

  /** The rendered YAML could not be read as Kubernetes objects. */
  public static final class ParseException extends ManifestsException {
    public ParseException(String message, String fix, Throwable cause) {
      super(message, fix, ExitCategory.RENDER_FAILED, cause);
    }
  }
}
