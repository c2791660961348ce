package io.kfboot.platform;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.profiles.ProfileSync;
import java.util.List;
import java.util.Set;

/**
 * {@code kfboot profiles list|apply}, and the profiles step at the end of an install: the settings'
 * {@code profiles:} brought onto the cluster by {@link ProfileSync}, which never deletes a Profile
 * (and so its namespace) unless its name is given.
 */
public final class Profiles {
  private final PlatformSettings settings;
  private final PlatformListener listener;

  public Profiles(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  public List<ProfileSync.Listed> list() {
    ClusterConnection connection = new ClusterConnection(settings);
    try (KubernetesClient client = connection.connect()) {
      return sync(client).list();
    }
  }

  /**
   * @param deleteStale stale profiles to delete with their namespaces
   */
  public ProfileSync.Report apply(Set<String> deleteStale) {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      return apply(client, deleteStale);
    }
  }

  ProfileSync.Report apply(KubernetesClient client, Set<String> deleteStale) {
    return sync(client)
        .apply(settings.access().profiles(), settings.access().auth().groups(), deleteStale);
  }

  private ProfileSync sync(KubernetesClient client) {
    return new ProfileSync(client, settings.install().poll(), settings.timeout(), listener::report);
  }
}
