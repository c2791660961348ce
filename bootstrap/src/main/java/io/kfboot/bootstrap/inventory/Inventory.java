package io.kfboot.bootstrap.inventory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The hosts of one cluster and how to set them up, as the inventory file says (see
 * docs/inventory.md). Built only by {@link InventoryLoader}, which validates everything first.
 *
 * @param cluster the cluster's name: the kubeconfig context, and part of file names
 * @param k3s k3s version, arguments, API endpoint and join token source
 * @param containerRuntime "containerd" (k3s' own) or "docker"
 * @param registries mirrors and credentials for k3s' registries.yaml; empty when none
 * @param airgap local files to install k3s from instead of the network, or null
 * @param hosts every host, servers first in file order
 * @param nvidia how GPU hosts and the device plugin are set up
 * @param storage the cluster's default StorageClass and what backs it
 */
public record Inventory(
    String cluster,
    K3s k3s,
    String containerRuntime,
    Registries registries,
    Airgap airgap,
    List<Host> hosts,
    List<String> warnings,
    Nvidia nvidia,
    Storage storage) {

  /**
   * @param installDriver install the distribution's NVIDIA driver on GPU hosts where nvidia-smi is
   *     missing (a reboot may follow); off by default, as kernel drivers are the site's business
   * @param timeSlicing how many pods may share one GPU (NVIDIA time-slicing); 1 for none
   * @param operator the NVIDIA GPU Operator manages toolkit and device plugin; kfboot only checks
   */
  public record Nvidia(boolean installDriver, int timeSlicing, boolean operator) {
    public static final Nvidia DEFAULTS = new Nvidia(false, 1, false);
  }

  /** How the default StorageClass is backed; see docs/storage.md. */
  public enum StorageMode {
    /**
     * k3s' bundled local-path provisioner (or local-path-provisioner installed where k3s has it
     * disabled).
     */
    LOCAL_PATH("local-path"),
    /** an NFS export on one inventory host and nfs-subdir-external-provisioner. */
    NFS("nfs"),
    /** fixed PersistentVolumes on an NFS export, made ahead; no provisioner. */
    NFS_STATIC("nfs-static"),
    /** whatever default class the cluster has; kfboot only checks it. */
    EXISTING("existing");

    private final String key;

    StorageMode(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public boolean nfs() {
      return this == NFS || this == NFS_STATIC;
    }

    public static StorageMode fromKey(String key) {
      for (StorageMode m : values()) {
        if (m.key.equals(key)) {
          return m;
        }
      }
      return null;
    }

    public static String keys() {
      return String.join(", ", Arrays.stream(values()).map(StorageMode::key).toList());
    }
  }

  /**
   * @param localPath where local-path keeps volumes on each node; null for k3s' default
   * @param nfs the export, for the NFS modes; null otherwise
   */
  public record Storage(StorageMode mode, String localPath, Nfs nfs) {
    public static final Storage DEFAULTS = new Storage(StorageMode.LOCAL_PATH, null, null);
  }

  /**
   * @param serverHost the inventory host that serves the export (null when it is outside the
   *     inventory and {@code address} names it)
   * @param address the NFS server's address as nodes reach it
   * @param path the exported directory
   * @param options export options (exports(5))
   * @param volumes for nfs-static: fixed volumes, one subdirectory each
   */
  public record Nfs(
      String serverHost, String address, String path, String options, List<StaticVolume> volumes) {
    public static final String DEFAULT_PATH = "/srv/kfboot-nfs";
    // no_root_squash: Kubeflow's MySQL and MinIO chown their data directories as root.
    public static final String DEFAULT_OPTIONS = "rw,sync,no_subtree_check,no_root_squash";
  }

  /** A fixed volume: its PersistentVolume name and size ("20Gi"). */
  public record StaticVolume(String name, String size) {}

  public record K3s(
      String version,
      List<String> extraArgs,
      String apiEndpoint,
      List<String> tlsSan,
      TokenSource token) {
    /**
     * Whether this k3s has the {@code default-runtime} setting (see {@link
     * K3sVersion#hasDefaultRuntime}); a version kfboot cannot read is given the benefit.
     */
    public boolean hasDefaultRuntime() {
      return K3sVersion.tryParse(version).map(K3sVersion::hasDefaultRuntime).orElse(true);
    }

    /** The same k3s settings at another version. */
    public K3s withVersion(String other) {
      return new K3s(other, extraArgs, apiEndpoint, tlsSan, token);
    }
  }

  /** Where the join token comes from; never the inventory itself. */
  public record TokenSource(String env, Path file) {
    public String describe() {
      return env != null ? "environment variable " + env : "file " + file;
    }
  }

  /**
   * k3s' registries.yaml (https://docs.k3s.io/installation/private-registry), the same on every
   * node.
   *
   * @param mirrors per registry (docker.io, ghcr.io, ..., or "*" for any), where to pull from
   * @param auth per registry host, credentials named by environment variables
   * @param tls per registry host, CA and client certificates as local files kfboot uploads
   * @param disableDefaultEndpoint no fallback to a mirrored registry's own endpoint (k3s'
   *     disable-default-registry-endpoint): an air-gapped site's pulls go through the mirrors only
   * @param embeddedRegistry k3s' embedded registry mirror (Spegel): nodes share the images they
   *     pulled, for the registries listed under mirrors
   */
  public record Registries(
      Map<String, Mirror> mirrors,
      Map<String, RegistryAuth> auth,
      Map<String, RegistryTls> tls,
      boolean disableDefaultEndpoint,
      boolean embeddedRegistry) {
    public static final Registries NONE =
        new Registries(Map.of(), Map.of(), Map.of(), false, false);

    public boolean isEmpty() {
      return mirrors.isEmpty() && auth.isEmpty() && tls.isEmpty();
    }

    /** The mirror images of {@code registry} are pulled through: its own entry, else "*". */
    public Optional<Mirror> mirrorFor(String registry) {
      Mirror own = mirrors.get(registry);
      return Optional.ofNullable(own != null ? own : mirrors.get("*"));
    }
  }

  /**
   * @param endpoints URLs with their scheme, tried in order (then the registry itself, unless the
   *     default endpoint is disabled); empty where only the embedded registry serves it
   * @param rewrite regular expression to replacement, applied to the image name (not the tag)
   */
  public record Mirror(List<String> endpoints, Map<String, String> rewrite) {}

  /**
   * Registry credentials: a user and password, or a token, each named by an environment variable,
   * never written in the inventory.
   */
  public record RegistryAuth(String username, String passwordEnv, String tokenEnv) {}

  /**
   * Certificates for a registry host, as files on this machine; null where not given.
   *
   * @param insecureSkipVerify no check of the registry's certificate (test registries only)
   */
  public record RegistryTls(Path caFile, Path certFile, Path keyFile, boolean insecureSkipVerify) {}

  /**
   * Local files that install k3s without the network.
   *
   * @param images k3s' own air-gap images (k3s-airgap-images-ARCH.tar.zst)
   * @param imageArchives the site's archives of the images Kubeflow needs ('kfboot images' lists
   *     them), imported by k3s from each node's agent/images folder like its own
   */
  public record Airgap(Path k3sBinary, Path images, Path installScript, List<Path> imageArchives) {
    public Airgap {
      imageArchives = List.copyOf(imageArchives);
    }
  }

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

  /** This inventory with k3s at another version: what an upgrade installs. */
  public Inventory withK3sVersion(String version) {
    return new Inventory(
        cluster,
        k3s.withVersion(version),
        containerRuntime,
        registries,
        airgap,
        hosts,
        warnings,
        nvidia,
        storage);
  }

  public List<Host> servers() {
    return hosts.stream().filter(h -> h.role() == Role.SERVER).toList();
  }

  public List<Host> agents() {
    return hosts.stream().filter(h -> h.role() == Role.AGENT).toList();
  }
}
