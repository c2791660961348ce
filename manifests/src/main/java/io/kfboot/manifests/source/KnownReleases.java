package io.kfboot.manifests.source;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The releases kfboot has pins for. The catalog in {@code components} provides them; this module
 * only needs to look tags and commits up.
 */
@FunctionalInterface
public interface KnownReleases {
  List<ReleaseRef> all();

  default Optional<ReleaseRef> byTag(String tag) {
    return all().stream().filter(r -> r.tag().equals(tag)).findFirst();
  }

  default Optional<ReleaseRef> byCommit(String commit) {
    return all().stream().filter(r -> r.commit().equals(commit)).findFirst();
  }

  /** "v1.10.2, 26.03" for messages. */
  default String describe() {
    return all().stream().map(ReleaseRef::tag).collect(Collectors.joining(", "));
  }
}
