package io.kfboot.manifests.archive;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link SafeExtractor} produced.
 *
 * @param root the folder holding the archive's single top-level folder's content
 * @param topLevelFolder the name of that folder in the archive (e.g. {@code manifests-1.10.2})
 * @param globalPaxHeaders the pax global header; {@code git archive} writes the commit id under
 *     {@code comment}
 * @param entries how many entries were extracted
 * @param bytes how many bytes of file content were written
 */
public record ExtractedArchive(
    Path root,
    String topLevelFolder,
    Map<String, String> globalPaxHeaders,
    int entries,
    long bytes) {

  /** The commit id {@code git archive} recorded, or null. */
  public String gitCommit() {
    return globalPaxHeaders.get("comment");
  }
}
