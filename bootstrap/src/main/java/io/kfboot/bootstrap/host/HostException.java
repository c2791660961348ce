package io.kfboot.bootstrap.host;

/**
 * A host could not be reached or did not do what it was asked. {@link #isTransient()} is true for
 * failures worth another attempt (a dropped connection, a refused connect while a host reboots).
 */
public class HostException extends RuntimeException {
  private final String host;
  private final String fix;
  private final boolean transientFailure;

  public HostException(String host, String message, String fix, boolean transientFailure) {
    this(host, message, fix, transientFailure, null);
  }

  public HostException(String host, String message, String fix, boolean transientFailure, Throwable cause) {
    super(host + ": " + message, cause);
    this.host = host;
    this.fix = fix;
    this.transientFailure = transientFailure;
  }

  public String host() {
    return host;
  }

  public String fix() {
    return fix;
  }

  public boolean isTransient() {
    return transientFailure;
  }
}
