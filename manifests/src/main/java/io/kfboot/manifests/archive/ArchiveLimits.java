package io.kfboot.manifests.archive;

/**
 * Caps on what one archive may unpack to. A kubeflow/manifests release is about 1,800 entries and
 * 25 MiB unpacked; the defaults leave room for vendored bundles and refuse archive bombs.
 */
public record ArchiveLimits(int maxEntries, long maxTotalBytes) {
  public static final ArchiveLimits DEFAULT = new ArchiveLimits(50_000, 512L << 20);
}
