package io.kfboot.components.upgrade;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.kfboot.components.install.InstallState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where an upgrade stands, kept in {@value #NAMESPACE}/{@value #NAME} while it runs, so that a
 * rerun after a kill goes on from the first step not done; removed once the upgrade is recorded as
 * done.
 *
 * @param fromSource where the old release was installed from (the install record names the new
 *     release's once the apply starts), so that a rerun renders the old release again
 * @param fromComponents the components the old release had installed
 * @param done the upgrade's steps that finished, in order
 */
public record UpgradeState(
    String from, String fromSource, List<String> fromComponents, String to, List<String> done) {
  public static final String NAMESPACE = InstallState.NAMESPACE;
  public static final String NAME = "kfboot-upgrade";

  public UpgradeState {
    fromComponents = List.copyOf(fromComponents);
    done = List.copyOf(done);
  }

  public UpgradeState with(String step) {
    List<String> d = new ArrayList<>(done);
    if (!d.contains(step)) {
      d.add(step);
    }
    return new UpgradeState(from, fromSource, fromComponents, to, d);
  }

  public boolean did(String step) {
    return done.contains(step);
  }

  public static Optional<UpgradeState> read(KubernetesClient client) {
    ConfigMap cm = client.configMaps().inNamespace(NAMESPACE).withName(NAME).get();
    if (cm == null || cm.getData() == null) {
      return Optional.empty();
    }
    Map<String, String> d = cm.getData();
    String done = d.getOrDefault("done", "");
    String components = d.getOrDefault("fromComponents", "");
    return Optional.of(
        new UpgradeState(
            d.getOrDefault("from", ""),
            d.getOrDefault("fromSource", ""),
            components.isBlank() ? List.of() : Arrays.asList(components.split(",")),
            d.getOrDefault("to", ""),
            done.isBlank() ? List.of() : Arrays.asList(done.split(","))));
  }

  void write(KubernetesClient client) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put("from", from);
    data.put("fromSource", fromSource);
    data.put("fromComponents", String.join(",", fromComponents));
    data.put("to", to);
    data.put("done", String.join(",", done));
    client
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(NAME)
                .withNamespace(NAMESPACE)
                .addToLabels("app.kubernetes.io/managed-by", "kfboot")
                .endMetadata()
                .withData(data)
                .build())
        .createOr(NonDeletingOperation::update);
  }

  static void delete(KubernetesClient client) {
    client.configMaps().inNamespace(NAMESPACE).withName(NAME).delete();
  }
}
