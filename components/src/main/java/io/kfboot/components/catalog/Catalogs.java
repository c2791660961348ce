package io.kfboot.components.catalog;

import io.kfboot.manifests.source.KnownReleases;
import io.kfboot.manifests.source.ReleaseRef;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The catalogs that ship with kfboot, one data file per release under {@code
 * io/kfboot/components/releases/}, listed in {@code index.txt} there (oldest first). Optionally one
 * more from a file ({@code --catalog}), for a release or fork kfboot does not ship.
 */
public final class Catalogs implements KnownReleases {
  private static final String DIR = "/io/kfboot/components/releases/";

  private final Map<String, ReleaseCatalog> byTag = new LinkedHashMap<>();

  private Catalogs() {}

  /** The shipped catalogs, each validated on load. */
  public static Catalogs shipped() {
    Catalogs catalogs = new Catalogs();
    for (String tag : index()) {
      String resource = DIR + tag + ".yaml";
      try (InputStream in = Catalogs.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(
              "index.txt lists " + tag + " but " + resource + " is missing");
        }
        ReleaseCatalog c = CatalogLoader.load(in, "classpath:" + resource);
        if (!c.release().tag().equals(tag)) {
          throw new IllegalStateException(resource + " declares release " + c.release().tag());
        }
        catalogs.byTag.put(tag, c);
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + resource, e);
      }
    }
    return catalogs;
  }

  /** Adds (or replaces) a catalog from a file; it takes precedence for its tag. */
  public Catalogs with(ReleaseCatalog extra) {
    Catalogs copy = new Catalogs();
    copy.byTag.putAll(byTag);
    copy.byTag.put(extra.release().tag(), extra);
    return copy;
  }

  private static List<String> index() {
    try (InputStream in = Catalogs.class.getResourceAsStream(DIR + "index.txt")) {
      if (in == null) {
        throw new IllegalStateException(DIR + "index.txt is missing from the classpath");
      }
      List<String> tags = new ArrayList<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String t = line.strip();
        if (!t.isEmpty() && !t.startsWith("#")) {
          tags.add(t);
        }
      }
      return tags;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the release index", e);
    }
  }

  @Override
  public List<ReleaseRef> all() {
    return byTag.values().stream().map(ReleaseCatalog::release).toList();
  }

  public Optional<ReleaseCatalog> catalog(String tag) {
    return Optional.ofNullable(byTag.get(tag));
  }

  /** The catalog of a release that {@link #all()} listed. */
  public ReleaseCatalog require(ReleaseRef release) {
    ReleaseCatalog c = byTag.get(release.tag());
    if (c == null || !c.release().equals(release)) {
      throw new IllegalStateException("no catalog for " + release);
    }
    return c;
  }

  public List<ReleaseCatalog> catalogs() {
    return List.copyOf(byTag.values());
  }
}
