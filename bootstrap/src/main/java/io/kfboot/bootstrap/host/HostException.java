package io.kfboot.bootstrap.host;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;

/**
 * A host could not be reached or did not do what it was asked. {@link #isTransient()} is true for
 * failures worth another attempt (a dropped connection, a refused connect while a host reboots).
 */
public class HostException extends KfbootException {
  private final String host;
  private final boolean transientFailure;

  public HostException(String host, String message, String fix, boolean transientFailure) {
    this(host, message, fix, transientFailure, null);
  }

  public HostException(
      String host, String message, String fix, boolean transientFailure, Throwable cause) {
    super(host + ": " + message, fix, ExitCategory.HOST, cause);
    this.host = host;
    this.transientFailure = transientFailure;
  }

  public String host() {
    return host;
  }

  public boolean isTransient() {
    return transientFailure;
  }
}
