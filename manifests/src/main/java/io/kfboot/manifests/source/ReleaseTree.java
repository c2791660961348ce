package io.kfboot.manifests.source;

import java.nio.file.Path;

/**
 * A release laid out on disk, ready to render.
 *
 * @param root the folder that holds {@code common/}, {@code applications/}, {@code example/}
 * @param release which release it is
 * @param origin where it came from, for messages ("v1.10.2 downloaded", a path)
 * @param vendored whether remote bases were rewritten to local copies by {@code kfboot manifests
 *     vendor}
 */
public record ReleaseTree(Path root, ReleaseRef release, String origin, boolean vendored) {}
