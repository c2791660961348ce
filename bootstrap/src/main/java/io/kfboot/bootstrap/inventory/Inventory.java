package io.kfboot.bootstrap.inventory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The hosts of one cluster and how to set them up, as the inventory file says (see README,
 * "Inventory"). Built only by {@link InventoryLoader}, which validates everything first.
 *
 * @param cluster the cluster's name: the kubeconfig context, and part of file names
 * @param k3s k3s version, arguments, API endpoint and join token source
 * @param containerRuntime "containerd" (k3s' own) or "docker"
 * @param registries mirrors and credentials for k3s' registries.yaml; empty when none
 * @param airgap local files to install k3s from instead of the network, or null
 * @param hosts every host, servers first in file order
 */
public record Inventory(
    String cluster, K3s k3s, String containerRuntime, Registries registries, Airgap airgap, List<Host> hosts, List<String> warnings) {

  public record K3s(String version, List<String> extraArgs, String apiEndpoint, List<String> tlsSan, TokenSource token) {}

  /** Where the join token comes from; never the inventory itself. */
  public record TokenSource(String env, Path file) {
    public String describe() {
      return env != null ? "environment variable " + env : "file " + file;
    }
  }

  public record Registries(Map<String, List<String>> mirrors, Map<String, RegistryAuth> auth) {
    public boolean isEmpty() {
      return mirrors.isEmpty() && auth.isEmpty();
    }
  }

  /** Registry credentials; the password is named by an environment variable, never written here. */
  public record RegistryAuth(String username, String passwordEnv) {}

  public record Airgap(Path k3sBinary, Path images, Path installScript) {}

  public enum Role {
    SERVER,
    AGENT
  }

  /**
   * @param identityFile the private key, or null to use ssh-agent
   * @param sudo whether commands that need root go through sudo (false when logging in as root)
   */
  public record Host(
      String name,
      String address,
      int port,
      String user,
      Path identityFile,
      boolean sudo,
      Role role,
      Map<String, String> labels,
      List<String> taints,
      boolean gpu) {}

  public List<Host> servers() {
    return hosts.stream().filter(h -> h.role() == Role.SERVER).toList();
  }

  public List<Host> agents() {
    return hosts.stream().filter(h -> h.role() == Role.AGENT).toList();
  }
}
