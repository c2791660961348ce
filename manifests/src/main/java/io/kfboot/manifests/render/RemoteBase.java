package io.kfboot.manifests.render;

import java.nio.file.Path;

/**
 * A kustomization entry that kustomize would fetch from the network.
 *
 * @param kustomization the kustomization file that names it, relative to the release root
 * @param field {@code resources}, {@code bases} or {@code components}
 * @param url the entry exactly as written
 */
public record RemoteBase(Path kustomization, String field, String url) {
  @Override
  public String toString() {
    return kustomization + ": " + url;
  }
}
