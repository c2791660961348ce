package io.kfboot.manifests.parse;

import io.kfboot.manifests.ManifestsException.ParseException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads kustomize's multi-document output into {@link K8sObject}s, in order.
 *
 * <p>Safe loading only: {@link SafeConstructor} builds maps, lists and scalars, never arbitrary
 * types. The per-document size limit is raised well past SnakeYAML's 3 MiB default because upstream
 * CRDs (KServe, Spark, Kubeflow Trainer) run to several hundred KiB each.
 */
public final class ManifestParser {
  /** Upper bound for one render's output, in code points. */
  static final int CODE_POINT_LIMIT = 256 << 20;

  private ManifestParser() {}

  private static Yaml newYaml() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(CODE_POINT_LIMIT);
    options.setMaxAliasesForCollections(50);
    options.setAllowDuplicateKeys(false);
    options.setNestingDepthLimit(200);
    return new Yaml(new SafeConstructor(options));
  }

  public static List<K8sObject> parse(InputStream in, String source) {
    return parse(new InputStreamReader(in, StandardCharsets.UTF_8), source);
  }

  public static List<K8sObject> parse(String yaml, String source) {
    return parse(new StringReader(yaml), source);
  }

  private static List<K8sObject> parse(Reader reader, String source) {
    List<K8sObject> objects = new ArrayList<>();
    int index = 0;
    try {
      for (Object doc : newYaml().loadAll(reader)) {
        index++;
        if (doc == null) {
          continue;
        }
        objects.add(toObject(doc, source, index));
      }
    } catch (YAMLException e) {
      throw new ParseException(
          source
              + ": YAML document "
              + (index + 1)
              + " cannot be read: "
              + firstLine(e.getMessage()),
          "render the path with 'kustomize build' to see the output; report it if kustomize accepts"
              + " it",
          e);
    }
    return objects;
  }

  @SuppressWarnings("unchecked")
  private static K8sObject toObject(Object doc, String source, int index) {
    if (!(doc instanceof Map<?, ?> raw)) {
      throw bad(source, index, "is a " + doc.getClass().getSimpleName() + ", not a mapping");
    }
    Map<String, Object> body = (Map<String, Object>) raw;
    Object apiVersion = body.get("apiVersion");
    Object kind = body.get("kind");
    Map<String, Object> metadata = K8sObject.map(body.get("metadata"));
    Object name = metadata.get("name");
    if (!(apiVersion instanceof String) || !(kind instanceof String) || !(name instanceof String)) {
      throw bad(source, index, "lacks apiVersion, kind or metadata.name");
    }
    Object namespace = metadata.get("namespace");
    Map<String, String> labels = new LinkedHashMap<>();
    K8sObject.map(metadata.get("labels")).forEach((k, v) -> labels.put(k, String.valueOf(v)));
    return new K8sObject(
        (String) apiVersion,
        (String) kind,
        namespace == null ? null : String.valueOf(namespace),
        (String) name,
        labels,
        body);
  }

  private static ParseException bad(String source, int index, String what) {
    return new ParseException(
        source + ": YAML document " + index + " " + what,
        "every rendered document must be a Kubernetes object; check the kustomization",
        null);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
