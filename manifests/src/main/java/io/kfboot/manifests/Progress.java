package io.kfboot.manifests;

/**
 * Where long work reports what it is doing. The CLI prints to stderr; tests collect.
 *
 * <p>Implementations must be thread-safe: renders report from several threads.
 */
@FunctionalInterface
public interface Progress {
  /** A line a person can follow, without a trailing newline. */
  void report(String line);

  /** Says nothing. */
  Progress SILENT = line -> {};
}
