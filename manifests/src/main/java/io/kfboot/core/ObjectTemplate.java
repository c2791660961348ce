package io.kfboot.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Kubernetes objects kfboot makes itself, written as YAML on the classpath (so that they read like
 * the upstream manifests they follow) and finished by typed patches in code: a template is loaded,
 * its objects copied deep, and only what varies is set, through {@link Patch}. Every value a patch
 * must set is {@code PATCHED} in the template; one left so is refused.
 */
public final class ObjectTemplate {
  /** The placeholder for what code sets. */
  public static final String PATCHED = "PATCHED";

  /**
   * The namespace's placeholder, as a value or inside one (a route's path names its namespace):
   * {@link Patch#namespace} replaces it everywhere in the object.
   */
  public static final String PATCHED_NAMESPACE = "PATCHED_NAMESPACE";

  private final String resource;
  private final List<Map<String, Object>> objects;

  private ObjectTemplate(String resource, List<Map<String, Object>> objects) {
    this.resource = resource;
    this.objects = objects;
  }

  /** The template {@code name} beside {@code owner} on the classpath. */
  @SuppressWarnings("unchecked")
  public static ObjectTemplate load(Class<?> owner, String name) {
    String resource = owner.getPackageName().replace('.', '/') + "/" + name;
    try (InputStream in = owner.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "kfboot's own template " + resource + " is missing from its jar");
      }
      List<Map<String, Object>> objects = new ArrayList<>();
      for (Object doc :
          new Yaml(new SafeConstructor(new LoaderOptions()))
              .loadAll(new String(in.readAllBytes(), StandardCharsets.UTF_8))) {
        if (doc instanceof Map<?, ?> m) {
          objects.add((Map<String, Object>) m);
        } else if (doc != null) {
          throw new IllegalStateException(resource + " holds a document that is no object");
        }
      }
      return new ObjectTemplate(resource, objects);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A deep copy of the object of this kind and name, to patch. */
  public Patch object(String kind, String name) {
    for (Map<String, Object> o : objects) {
      Patch p = new Patch(deepCopy(o));
      if (p.kind().equals(kind) && p.name().equals(name)) {
        return p;
      }
    }
    throw new IllegalStateException(resource + " has no " + kind + " " + name);
  }

  /**
   * Every object of the template, in its order, each finished by {@code finish}: it gets a deep
   * copy to patch and returns it (changed or not).
   */
  public List<Map<String, Object>> objects(UnaryOperator<Patch> finish) {
    return objects.stream().map(o -> finish.apply(new Patch(deepCopy(o))).done()).toList();
  }

  /** One object being finished: typed setters for what kfboot's objects vary in. */
  public final class Patch {
    private final Map<String, Object> body;

    Patch(Map<String, Object> body) {
      this.body = body;
    }

    public String kind() {
      return String.valueOf(body.get("kind"));
    }

    public String name() {
      return String.valueOf(child(body, "metadata").get("name"));
    }

    /** The namespace, wherever the object says {@link #PATCHED_NAMESPACE}. */
    public Patch namespace(String namespace) {
      body.replaceAll((k, v) -> withNamespace(v, namespace));
      return this;
    }

    /** Another name: one template object stands for several (the volumes of a list). */
    public Patch name(String name) {
      child(body, "metadata").put("name", name);
      return this;
    }

    /** The value of environment variable {@code name} of the pod template's {@code container}. */
    @SuppressWarnings("unchecked")
    public Patch env(String container, String name, String value) {
      for (Object e : (List<Object>) container(container).get("env")) {
        Map<String, Object> m = (Map<String, Object>) e;
        if (name.equals(m.get("name"))) {
          m.put("value", value);
          return this;
        }
      }
      throw new IllegalStateException(resource + ": container " + container + " has no " + name);
    }

    /** The server and path of the pod template's NFS volume {@code volume}. */
    @SuppressWarnings("unchecked")
    public Patch nfsVolume(String volume, String server, String path) {
      for (Object v : (List<Object>) podSpec().get("volumes")) {
        Map<String, Object> m = (Map<String, Object>) v;
        if (volume.equals(m.get("name"))) {
          nfs(child(m, "nfs"), server, path);
          return this;
        }
      }
      throw new IllegalStateException(resource + " has no volume " + volume);
    }

    /** A PersistentVolume's size and where it lies on an NFS export. */
    public Patch persistentVolume(String size, String server, String path) {
      Map<String, Object> spec = child(body, "spec");
      child(spec, "capacity").put("storage", size);
      nfs(child(spec, "nfs"), server, path);
      return this;
    }

    /** A PersistentVolume reserved for one claim. */
    public Patch claimRef(String namespace, String name) {
      Map<String, Object> ref = new LinkedHashMap<>();
      ref.put("namespace", namespace);
      ref.put("name", name);
      child(body, "spec").put("claimRef", ref);
      return this;
    }

    private void nfs(Map<String, Object> nfs, String server, String path) {
      nfs.put("server", server);
      nfs.put("path", path);
    }

    private Map<String, Object> podSpec() {
      return child(child(child(body, "spec"), "template"), "spec");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> container(String name) {
      for (Object c : (List<Object>) podSpec().get("containers")) {
        Map<String, Object> m = (Map<String, Object>) c;
        if (name.equals(m.get("name"))) {
          return m;
        }
      }
      throw new IllegalStateException(resource + " has no container " + name);
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
    public Patch image(String container, String image) {
      container(container).put("image", image);
      return this;
    }

    /** The finished object; a {@code PATCHED} left anywhere is a bug in kfboot, refused here. */
    public Map<String, Object> done() {
      if (String.valueOf(body).contains(PATCHED)) {
        throw new IllegalStateException(
            resource + ": a value marked " + PATCHED + " was not set: " + body);
      }
      return body;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> child(Map<String, Object> m, String key) {
    return (Map<String, Object>) m.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
  }

  @SuppressWarnings("unchecked")
  private static Object withNamespace(Object v, String namespace) {
    if (v instanceof String str) {
      return str.replace(PATCHED_NAMESPACE, namespace);
    }
    if (v instanceof Map<?, ?> map) {
      ((Map<String, Object>) map).replaceAll((k, x) -> withNamespace(x, namespace));
      return map;
    }
    if (v instanceof List<?> list) {
      ((List<Object>) list).replaceAll(x -> withNamespace(x, namespace));
      return list;
    }
    return v;
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
