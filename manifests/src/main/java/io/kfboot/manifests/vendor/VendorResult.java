package io.kfboot.manifests.vendor;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link Vendorer} did.
 *
 * @param bundle the tarball written
 * @param sha256 its sha256, to pass as --sha256 where it is used
 * @param sources each fetched remote base
 */
public record VendorResult(Path bundle, String sha256, List<VendoredSource> sources) {

  /**
   * One fetched remote base.
   *
   * @param url as written in the kustomization
   * @param fetchedFrom after URL rewrites
   * @param resolved the commit id (git) or sha256 (file) that was vendored
   * @param path where it lives in the bundle
   * @param rewrittenIn the kustomization files that now point to it
   */
  public record VendoredSource(
      String url, String fetchedFrom, String resolved, String path, List<String> rewrittenIn) {}
}
