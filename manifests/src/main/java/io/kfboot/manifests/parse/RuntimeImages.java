package io.kfboot.manifests.parse;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The images controllers start at run time, which no pod template names and which a mirror must
 * hold all the same: KFP's driver and launcher and Argo's executor (an env value and a flag of the
 * controllers), the Istio sidecar (hub, image and tag in the injector's values), KServe's agent,
 * router and storage initializer (JSON in inferenceservice-config), Katib's suggestions and metrics
 * collectors (katib-config), and the notebook images the spawner offers (its value and options).
 * deployKF's offline guide lists the same places
 * (https://www.deploykf.org/guides/local-development/offline-images/); found here from the render,
 * so that a release that moves a tag needs no change.
 */
public final class RuntimeImages {
  /** A reference written out in full: a registry or repository path, a tag or a digest. */
  private static final Pattern FULL_REF =
      Pattern.compile(
          "[a-z0-9][a-z0-9._-]*([:/][A-Za-z0-9._/-]+)*(:[A-Za-z0-9._-]+)?(@sha256:[0-9a-f]{64})?");

  private RuntimeImages() {}

  public static SortedSet<String> images(Collection<K8sObject> objects) {
    Map<String, K8sObject> configMaps = new HashMap<>();
    for (K8sObject o : objects) {
      if (o.kind().equals("ConfigMap")) {
        configMaps.put(o.namespace() + "/" + o.name(), o);
      }
    }
    SortedSet<String> out = new TreeSet<>();
    for (K8sObject o : objects) {
      if (o.kind().equals("ConfigMap")) {
        fromConfigMap(o, out);
      } else {
        walkContainers(o.body(), o.namespace(), configMaps, out);
      }
    }
    return out;
  }

  /**
   * Containers anywhere in the object: their {@code *_IMAGE} env values and {@code -image} flags.
   */
  private static void walkContainers(
      Object node, String namespace, Map<String, K8sObject> configMaps, SortedSet<String> out) {
    if (node instanceof Map<?, ?> map) {
      if (map.get("image") instanceof String && map.get("name") instanceof String) {
        container(map, namespace, configMaps, out);
      }
      map.values().forEach(v -> walkContainers(v, namespace, configMaps, out));
    } else if (node instanceof List<?> list) {
      list.forEach(v -> walkContainers(v, namespace, configMaps, out));
    }
  }

  private static void container(
      Map<?, ?> c, String namespace, Map<String, K8sObject> configMaps, SortedSet<String> out) {
    if (c.get("env") instanceof List<?> env) {
      for (Object e : env) {
        if (e instanceof Map<?, ?> var
            && var.get("name") instanceof String name
            && name.endsWith("_IMAGE")) {
          if (var.get("value") instanceof String v) {
            add(v, out);
          } else if (var.get("valueFrom") instanceof Map<?, ?> from
              && from.get("configMapKeyRef") instanceof Map<?, ?> ref
              && ref.get("name") instanceof String cm
              && ref.get("key") instanceof String key) {
            K8sObject source = configMaps.get(namespace + "/" + cm);
            if (source != null && source.body().get("data") instanceof Map<?, ?> data) {
              if (data.get(key) instanceof String v) {
                add(v, out);
              }
            }
          }
        }
      }
    }
    for (String field : List.of("args", "command")) {
      if (c.get(field) instanceof List<?> args) {
        for (int i = 0; i < args.size(); i++) {
          if (!(args.get(i) instanceof String a) || !a.startsWith("-") || !a.contains("image")) {
            continue;
          }
          int eq = a.indexOf('=');
          if (eq > 0 && a.substring(0, eq).endsWith("-image")) {
            add(a.substring(eq + 1), out);
          } else if (a.endsWith("-image")
              && i + 1 < args.size()
              && args.get(i + 1) instanceof String v) {
            add(v, out);
          }
        }
      }
    }
  }

  private static void fromConfigMap(K8sObject cm, SortedSet<String> out) {
    if (!(cm.body().get("data") instanceof Map<?, ?> data)) {
      return;
    }
    for (Object value : data.values()) {
      if (!(value instanceof String text) || !text.contains("image")) {
        continue;
      }
      Object tree = parse(text);
      if (tree == null) {
        continue;
      }
      istioSidecar(tree, out);
      walkConfig(tree, out);
    }
  }

  /**
   * A data value as YAML (JSON, as these ConfigMaps write it, is YAML too); null where it is
   * neither: Go templates (Istio's injection template), shell, HTML.
   */
  private static Object parse(String text) {
    try {
      return new Yaml(new SafeConstructor(new LoaderOptions())).load(text.replace('\t', ' '));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Istio's injector values: global.hub, global.proxy.image and global.tag make the sidecar. */
  private static void istioSidecar(Object tree, SortedSet<String> out) {
    if (tree instanceof Map<?, ?> root
        && root.get("global") instanceof Map<?, ?> global
        && global.get("hub") instanceof String hub
        && global.get("tag") instanceof String tag
        && global.get("proxy") instanceof Map<?, ?> proxy
        && proxy.get("image") instanceof String image
        && !hub.isBlank()
        && !tag.isBlank()) {
      add(image.contains("/") ? image : hub + "/" + image + ":" + tag, out);
    }
  }

  /**
   * "image" keys holding a full reference (a bare "proxyv2" is Istio's short name, handled above),
   * and the spawner's {@code image*: {value, options}}.
   */
  private static void walkConfig(Object node, SortedSet<String> out) {
    if (node instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (key.equals("image") && e.getValue() instanceof String s) {
          if (map.get("defaultImageVersion") instanceof String version && !s.contains(":")) {
            // KServe's explainers: the tag beside the image (inferenceservice-config)
            add(s + ":" + version, out);
          } else if (s.contains("/") || s.contains(":")) {
            add(s, out);
          }
        } else if (key.startsWith("image") && e.getValue() instanceof Map<?, ?> choice) {
          if (choice.get("value") instanceof String v) {
            add(v, out);
          }
          if (choice.get("options") instanceof List<?> options) {
            options.forEach(o -> add(String.valueOf(o), out));
          }
        } else {
          walkConfig(e.getValue(), out);
        }
      }
    } else if (node instanceof List<?> list) {
      list.forEach(v -> walkConfig(v, out));
    }
  }

  private static void add(String candidate, SortedSet<String> out) {
    String s = candidate.strip();
    if (ImageCollector.looksLikeImage(s)
        && !s.contains("://")
        && FULL_REF.matcher(s).matches()
        && (s.contains("/") || s.contains(":"))) {
      out.add(s);
    }
  }
}
