package io.kfboot.platform;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.auth.Credentials;
import io.kfboot.components.install.InstallReport;
import io.kfboot.components.install.InstallState;
import io.kfboot.components.install.Installer;
import io.kfboot.components.install.Uninstaller;
import io.kfboot.components.plan.InstallPlan;
import io.kfboot.storage.StorageComponent;
import io.kfboot.verify.diagnostics.ClusterDiagnostics;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Install, uninstall and status of Kubeflow on a cluster: what the CLI and {@code up} call. */
public final class Installation {
  private final PlatformSettings settings;
  private final PlatformListener listener;

  public Installation(PlatformSettings settings, PlatformListener listener) {
    this.settings = settings;
    this.listener = listener;
  }

  /** What an install did, and where its credentials are. */
  public record Installed(
      InstallReport report, Path credentialsFile, Credentials.Loaded credentials) {}

  public Installed install() {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig(); // before anything is downloaded or rendered
    new AuthChecks(settings, listener).preflight();
    new StoresChecks(settings, listener).preflight();
    ReleasePlanner planner = new ReleasePlanner(settings, listener);
    InstallPlan releasePlan = planner.releasePlan();
    try (KubernetesClient client = connection.connect()) {
      boolean bundled = planner.localPathStorage() && StorageComponent.hasBundledLocalPath(client);
      InstallPlan plan = planner.withStorage(releasePlan, bundled);
      CredentialsStore store =
          CredentialsStore.forCluster(
              settings, ClusterConnection.clusterName(client), listener::warning);
      Credentials.Loaded creds =
          store.loadOrCreate(settings.adminEmail(), settings.generatedUsers());
      InstallReport report =
          new Installer(client, settings.install(), listener, new ClusterDiagnostics(client))
              .install(ReleasePlanner.withAccess(plan, creds.credentials(), settings));
      if (!settings.access().profiles().isEmpty()) {
        // after the gates: the profile controller makes each namespace from its Profile
        new Profiles(settings, listener).apply(client, Set.of());
      }
      return new Installed(report, store.file(), creds);
    }
  }

  /**
   * Removes what kfboot installed (or {@code only} of it), in reverse dependency order; the ids
   * removed.
   */
  public List<String> uninstall(Set<String> only, boolean keepBase) {
    ClusterConnection connection = new ClusterConnection(settings);
    connection.requireKubeconfig();
    try (KubernetesClient client = connection.connect()) {
      InstallPlan plan =
          new ReleasePlanner(settings, listener).installedPlan(InstallState.read(client));
      return new Uninstaller(client, settings.install(), listener, new ClusterDiagnostics(client))
          .uninstall(plan, only, keepBase);
    }
  }

  public Optional<InstallState> status() {
    try (KubernetesClient client = new ClusterConnection(settings).connect()) {
      return InstallState.read(client);
    }
  }

  /** Installed means the record says so; none, partial or failed installs are not. */
  public static boolean complete(Optional<InstallState> state) {
    return state.map(s -> s.phase().equals(Installer.PHASE_INSTALLED)).orElse(false);
  }
}
