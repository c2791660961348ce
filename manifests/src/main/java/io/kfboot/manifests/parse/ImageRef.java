package io.kfboot.manifests.parse;

/**
 * An image reference taken apart as containerd resolves it (the distribution/reference rules): the
 * first path part is a registry only where it has a dot or a port or is localhost, else the image
 * is Docker Hub's, and a one-part Docker Hub name lives under library/. The digest is kept: seven
 * Knative images are pinned by one, and a mirror must serve the same bytes.
 *
 * @param image the reference as written
 * @param registry docker.io, ghcr.io, gcr.io, ...
 * @param repository the path inside the registry (library/mysql for mysql)
 * @param tag the tag, or null (digest only; or "latest" implied)
 * @param digest sha256:..., or null
 */
public record ImageRef(
    String image, String registry, String repository, String tag, String digest) {
  public static final String DOCKER_HUB = "docker.io";

  public static ImageRef parse(String image) {
    String rest = image;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon > rest.lastIndexOf('/')) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
    }
    String registry = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first;
        rest = rest.substring(slash + 1);
      }
    }
    if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
      rest = "library/" + rest;
    }
    return new ImageRef(image, registry, rest, tag, digest);
  }

  public boolean pinnedByDigest() {
    return digest != null;
  }

  public boolean dockerHub() {
    return registry.equals(DOCKER_HUB);
  }
}
