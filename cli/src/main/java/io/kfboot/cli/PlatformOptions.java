package io.kfboot.cli;

import io.kfboot.bootstrap.inventory.Inventory;
import io.kfboot.bootstrap.inventory.Inventory.Nfs;
import io.kfboot.bootstrap.inventory.Inventory.Nvidia;
import io.kfboot.bootstrap.inventory.Inventory.Storage;
import io.kfboot.bootstrap.inventory.Inventory.StorageMode;
import io.kfboot.bootstrap.inventory.InventoryLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * Storage and GPU settings of {@code plan} and {@code install}, with kfboot's one precedence: flag,
 * then environment, then the inventory's {@code storage:} and {@code nvidia:} sections, then the
 * default (k3s' local-path; no GPU component unless a host is {@code gpu: true}).
 */
final class PlatformOptions {
  static final String ENV_INVENTORY = "KFBOOT_INVENTORY";
  static final String ENV_STORAGE = "KFBOOT_STORAGE";
  static final String ENV_NFS_SERVER = "KFBOOT_NFS_SERVER";
  static final String ENV_NFS_PATH = "KFBOOT_NFS_PATH";
  static final String ENV_TIME_SLICING = "KFBOOT_GPU_TIME_SLICING";

  @Option(names = {"-i", "--inventory"}, paramLabel = "FILE",
      description = "Read storage and GPU settings (storage:, nvidia:, gpu hosts) from this inventory. Env " + ENV_INVENTORY + ".")
  Path inventory;

  @Option(names = "--storage", paramLabel = "MODE",
      description = "The default StorageClass: local-path, nfs, nfs-static (inventory only) or existing. Env " + ENV_STORAGE + "; default: the inventory's, else local-path.")
  String storage;

  @Option(names = "--nfs-server", paramLabel = "ADDRESS", description = "NFS server for --storage nfs. Env " + ENV_NFS_SERVER + ".")
  String nfsServer;

  @Option(names = "--nfs-path", paramLabel = "PATH", description = "Exported directory for --storage nfs. Env " + ENV_NFS_PATH + "; default: " + Nfs.DEFAULT_PATH + ".")
  String nfsPath;

  @Option(names = "--time-slicing", paramLabel = "N", description = "Pods per GPU (NVIDIA time-slicing), 1 to 64. Env " + ENV_TIME_SLICING + "; default: the inventory's, else 1.")
  Integer timeSlicing;

  @Option(names = "--gpu-operator", description = "GPUs come from the NVIDIA GPU Operator: check them, install no device plugin.")
  boolean gpuOperator;

  /** The settings in force. */
  record Resolved(Storage storage, Nvidia nvidia, boolean gpuHosts) {}

  Resolved resolve(Map<String, String> env) {
    Optional<Inventory> inv = Optional.ofNullable(inventory).or(() -> value(env, ENV_INVENTORY).map(Path::of)).map(InventoryLoader::load);
    Storage fromInventory = inv.map(Inventory::storage).orElse(Storage.DEFAULTS);
    String modeText = Optional.ofNullable(storage).or(() -> value(env, ENV_STORAGE)).orElse(null);
    StorageMode mode = fromInventory.mode();
    if (modeText != null) {
      mode = StorageMode.fromKey(modeText);
      if (mode == null) {
        throw new CliException("--storage " + modeText + " is no storage mode", "use one of " + StorageMode.keys());
      }
    }
    Optional<String> server = Optional.ofNullable(nfsServer).or(() -> value(env, ENV_NFS_SERVER));
    Optional<String> path = Optional.ofNullable(nfsPath).or(() -> value(env, ENV_NFS_PATH));
    Nfs nfs = fromInventory.nfs();
    if (mode == StorageMode.NFS_STATIC && (nfs == null || nfs.volumes().isEmpty())) {
      throw new CliException("--storage nfs-static needs its fixed volumes, which only an inventory lists",
          "give --inventory FILE with storage.nfs.volumes (see README, 'Storage'), or use --storage nfs");
    }
    if (mode.nfs()) {
      if (nfs == null && server.isEmpty()) {
        throw new CliException("--storage " + mode.key() + " needs an NFS server", "give --nfs-server ADDRESS (env " + ENV_NFS_SERVER
            + "), or --inventory FILE with storage.nfs.server");
      }
      String p = path.orElse(nfs == null ? Nfs.DEFAULT_PATH : nfs.path());
      if (!p.startsWith("/") || p.equals("/") || p.contains("..")) {
        throw new CliException("--nfs-path " + p + " is no absolute directory", "give the exported directory, e.g. " + Nfs.DEFAULT_PATH);
      }
      // a server from the inventory is already an address (a host's name resolved to its address)
      String address = server.isPresent() ? server.get() : nfs.address();
      nfs = new Nfs(nfs == null ? null : nfs.serverHost(), address, p, nfs == null ? Nfs.DEFAULT_OPTIONS : nfs.options(),
          nfs == null ? List.of() : nfs.volumes());
    } else {
      if (server.isPresent() || path.isPresent()) {
        throw new CliException("--nfs-server and --nfs-path apply to --storage nfs, not " + mode.key(), "add --storage nfs, or drop them");
      }
      nfs = null;
    }
    Nvidia fromInv = inv.map(Inventory::nvidia).orElse(Nvidia.DEFAULTS);
    int slices = fromInv.timeSlicing();
    Optional<String> slicing = Optional.ofNullable(timeSlicing).map(String::valueOf).or(() -> value(env, ENV_TIME_SLICING));
    if (slicing.isPresent()) {
      try {
        slices = Integer.parseInt(slicing.get());
      } catch (NumberFormatException e) {
        slices = 0;
      }
      if (slices < 1 || slices > 64) {
        throw new CliException("--time-slicing " + slicing.get() + " is out of range", "give the pods per GPU, from 1 (no sharing) to 64");
      }
    }
    boolean operator = gpuOperator || fromInv.operator();
    if (operator && slices > 1) {
      throw new CliException("--time-slicing is set by the GPU Operator's ClusterPolicy when --gpu-operator is used", "drop --time-slicing");
    }
    boolean gpuHosts = inv.map(i -> i.hosts().stream().anyMatch(Inventory.Host::gpu)).orElse(false);
    return new Resolved(new Storage(mode, fromInventory.localPath(), nfs), new Nvidia(fromInv.installDriver(), slices, operator), gpuHosts);
  }

  private static Optional<String> value(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).filter(s -> !s.isBlank());
  }
}
