package io.kfboot.bootstrap.ssh;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How to reach one host over SSH.
 *
 * @param name the host's name in output
 * @param address host name or IP address
 * @param port SSH port
 * @param user login user; commands that need root go through {@code sudo -n} unless it is root
 * @param identityFile a private key, or null to use {@code identity} or the ssh-agent at {@code
 *     agentSocket}
 * @param identity a private key held in memory only (from the environment), or null
 * @param agentSocket the agent's socket ($SSH_AUTH_SOCK), or null
 * @param knownHosts the known_hosts file host keys are checked against
 * @param acceptNewHostKeys record keys of hosts not yet in known_hosts instead of refusing them (a
 *     changed key is refused either way)
 * @param connectTimeout how long connecting and authenticating may take
 * @param keepAlive interval of SSH keepalives; three missed ones drop the connection
 */
public record SshTarget(
    String name,
    String address,
    int port,
    String user,
    Path identityFile,
    PrivateKey identity,
    Path agentSocket,
    Path knownHosts,
    boolean acceptNewHostKeys,
    Duration connectTimeout,
    Duration keepAlive) {

  public SshTarget {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range");
    }
  }

  public SshTarget(
      String name,
      String address,
      int port,
      String user,
      Path identityFile,
      Path agentSocket,
      Path knownHosts,
      boolean acceptNewHostKeys,
      Duration connectTimeout,
      Duration keepAlive) {
    this(
        name,
        address,
        port,
        user,
        identityFile,
        null,
        agentSocket,
        knownHosts,
        acceptNewHostKeys,
        connectTimeout,
        keepAlive);
  }

  /** A private key's bytes, kept in memory and never printed. */
  public record PrivateKey(byte[] pem) {
    @Override
    public String toString() {
      return "PrivateKey[redacted]";
    }
  }

  /** "[address]:port" for non-standard ports, as known_hosts writes it. */
  String knownHostsName() {
    return port == 22 ? address : "[" + address + "]:" + port;
  }
}
