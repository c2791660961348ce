package io.kfboot.manifests.parse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Objects kfboot makes itself, written as YAML on the classpath (so that they read like the
 * upstream manifests they follow) and finished by typed patches in code: a template is loaded, its
 * objects copied deep, and only what varies is set, through {@link Patch}. Every value a patch must
 * set is {@code PATCHED} in the template; one left so is refused.
 */
public final class ObjectTemplate {
  /** The placeholder for what code sets. */
  public static final String PATCHED = "PATCHED";

  private final String resource;
  private final List<K8sObject> objects;

  private ObjectTemplate(String resource, List<K8sObject> objects) {
    this.resource = resource;
    this.objects = objects;
  }

  /** The template {@code name} beside {@code owner} on the classpath. */
  public static ObjectTemplate load(Class<?> owner, String name) {
    String resource = owner.getPackageName().replace('.', '/') + "/" + name;
    try (InputStream in = owner.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "kfboot's own template " + resource + " is missing from its jar");
      }
      return new ObjectTemplate(
          resource,
          ManifestParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A deep copy of the object of this kind and name, to patch. */
  public Patch object(String kind, String name) {
    for (K8sObject o : objects) {
      if (o.kind().equals(kind) && o.name().equals(name)) {
        return new Patch(deepCopy(o.body()));
      }
    }
    throw new IllegalStateException(resource + " has no " + kind + " " + name);
  }

  /** One object being finished: typed setters for what kfboot's objects vary in. */
  public final class Patch {
    private final Map<String, Object> body;

    Patch(Map<String, Object> body) {
      this.body = body;
    }

    /** A ConfigMap's data entry. */
    public Patch data(String key, String value) {
      child(body, "data").put(key, value);
      return this;
    }

    /** An annotation of the pod template (workloads). */
    public Patch podAnnotation(String key, String value) {
      child(child(child(child(body, "spec"), "template"), "metadata"), "annotations")
          .put(key, value);
      return this;
    }

    /** The image of the pod template's container {@code container}. */
    @SuppressWarnings("unchecked")
    public Patch image(String container, String image) {
      List<Object> containers =
          (List<Object>) child(child(child(body, "spec"), "template"), "spec").get("containers");
      for (Object c : containers) {
        Map<String, Object> m = (Map<String, Object>) c;
        if (container.equals(m.get("name"))) {
          m.put("image", image);
          return this;
        }
      }
      throw new IllegalStateException(resource + " has no container " + container);
    }

    /** The finished object; a {@code PATCHED} left anywhere is a bug in kfboot, refused here. */
    public K8sObject done() {
      if (String.valueOf(body).contains(PATCHED)) {
        throw new IllegalStateException(
            resource + ": a value marked " + PATCHED + " was not set: " + body);
      }
      return K8sObject.of(body);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> child(Map<String, Object> m, String key) {
    return (Map<String, Object>) m.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> deepCopy(Map<String, Object> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, copyValue(v)));
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Object copyValue(Object v) {
    if (v instanceof Map<?, ?> map) {
      return deepCopy((Map<String, Object>) map);
    }
    if (v instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      list.forEach(x -> out.add(copyValue(x)));
      return out;
    }
    return v;
  }
}
