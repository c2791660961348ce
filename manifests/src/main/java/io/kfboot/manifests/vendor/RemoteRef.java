package io.kfboot.manifests.vendor;

import java.net.URI;
import java.util.Arrays;
import java.util.Locale;

/**
 * A remote base, parsed the way kustomize reads it: either a plain file over HTTP(S), or a git
 * repository with an optional folder inside it and a ref.
 *
 * <p>Forms understood (from kustomize's remote target syntax,
 * https://github.com/kubernetes-sigs/kustomize/blob/master/examples/remoteBuild.md): {@code
 * https://github.com/OWNER/REPO/PATH?ref=REF}, {@code https://HOST/REPO//PATH?ref=REF}, {@code
 * https://HOST/REPO.git/PATH?ref=REF}, {@code github.com/OWNER/REPO/PATH?ref=REF}, {@code
 * git@HOST:OWNER/REPO//PATH?ref=REF}, and a file URL ending in .yaml, .yml or .json.
 *
 * @param git whether it is a git repository (else a single file)
 * @param repoUrl for git: the URL to fetch; for a file: the file's URL
 * @param subPath for git: the folder inside the repository, "" for its root
 * @param ref for git: the ref (tag, branch or commit), "" for the default branch
 */
public record RemoteRef(boolean git, String repoUrl, String subPath, String ref) {

  public static RemoteRef parse(String raw) {
    String url = raw.trim();
    if (url.startsWith("github.com/") || url.startsWith("gitlab.com/")) {
      url = "https://" + url;
    }
    if (url.startsWith("git::")) {
      url = url.substring("git::".length());
    }
    String query = "";
    int q = url.indexOf('?');
    if (q >= 0) {
      query = url.substring(q + 1);
      url = url.substring(0, q);
    }
    String ref = "";
    for (String param : query.split("&")) {
      if (param.startsWith("ref=") || param.startsWith("version=")) {
        ref = param.substring(param.indexOf('=') + 1);
      }
    }
    String lower = url.toLowerCase(Locale.ROOT);
    boolean fileLike = lower.endsWith(".yaml") || lower.endsWith(".yml") || lower.endsWith(".json");
    if (url.startsWith("git@")) {
      return splitGit(url, url.indexOf(':') + 1, ref, raw);
    }
    if (!url.startsWith("https://")
        && !url.startsWith("http://")
        && !url.startsWith("ssh://")
        && !url.startsWith("file://")) {
      throw new IllegalArgumentException(
          "remote base '" + raw + "' has no scheme kfboot understands");
    }
    if (fileLike && ref.isEmpty() && !url.substring(url.indexOf("://") + 3).contains("//")) {
      return new RemoteRef(false, url, "", "");
    }
    URI uri = URI.create(url);
    int pathStart =
        url.indexOf(uri.getRawPath() == null ? "" : uri.getRawPath(), url.indexOf("://") + 3);
    return splitGit(url, pathStart + 1, ref, raw);
  }

  /** {@code start} is where OWNER/REPO begins in {@code url}. */
  private static RemoteRef splitGit(String url, int start, String ref, String raw) {
    String prefix = url.substring(0, start);
    String path = url.substring(start);
    int doubleSlash = path.indexOf("//");
    if (doubleSlash >= 0) {
      return new RemoteRef(
          true,
          prefix + path.substring(0, doubleSlash),
          trimSlashes(path.substring(doubleSlash + 2)),
          ref);
    }
    int dotGit = path.indexOf(".git/");
    if (dotGit >= 0) {
      return new RemoteRef(
          true,
          prefix + path.substring(0, dotGit + 4),
          trimSlashes(path.substring(dotGit + 5)),
          ref);
    }
    if (path.endsWith(".git")) {
      return new RemoteRef(true, prefix + path, "", ref);
    }
    String[] parts = path.split("/", 3);
    if (parts.length < 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException(
          "remote base '"
              + raw
              + "' does not name a repository (OWNER/REPO, REPO.git or REPO//PATH)");
    }
    return new RemoteRef(
        true,
        prefix + parts[0] + "/" + parts[1],
        parts.length == 3 ? trimSlashes(parts[2]) : "",
        ref);
  }

  private static String trimSlashes(String s) {
    String t = s;
    while (t.startsWith("/")) t = t.substring(1);
    while (t.endsWith("/")) t = t.substring(0, t.length() - 1);
    return t;
  }

  /** Where the vendored copy lives, relative to the release root, without subPath. */
  public String vendorFolder() {
    String withoutScheme =
        repoUrl.replaceFirst("^[a-z+]+://", "").replaceFirst("^git@", "").replace(':', '/');
    String safe =
        String.join(
            "/",
            Arrays.stream(withoutScheme.replaceAll("[^A-Za-z0-9._/-]", "_").split("/+"))
                .map(seg -> seg.equals("..") || seg.equals(".") || seg.isEmpty() ? "_" : seg)
                .toList());
    if (git) {
      String r = ref.isEmpty() ? "HEAD" : ref.replaceAll("[^A-Za-z0-9._-]", "_");
      return ".kfboot-vendor/git/" + safe + "@" + r;
    }
    return ".kfboot-vendor/http/" + safe;
  }
}
