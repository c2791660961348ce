package io.kfboot.platform;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kfboot.components.auth.AuthConfig;
import io.kfboot.components.auth.Connector;
import io.kfboot.components.auth.LdapCheck;
import io.kfboot.components.auth.SecretValues;
import io.kfboot.components.profiles.Contributor;
import io.kfboot.components.profiles.ProfileSpec;
import io.kfboot.components.profiles.ProfileSync;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

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
    return sync(client).apply(settings.access().profiles(), groups(), deleteStale);
  }

  /**
   * Every group a contributor names, with its members: auth.groups, and for the rest the directory
   * of the first LDAP connector whose groupSearch finds it (Dex's groups at login).
   */
  public Map<String, List<String>> groups() {
    AuthConfig auth = settings.access().auth();
    Map<String, List<String>> groups = new TreeMap<>(auth.groups());
    Set<String> wanted = new TreeSet<>();
    for (ProfileSpec p : settings.access().profiles()) {
      for (Contributor c : p.contributors()) {
        if (c.kind().equals("group") && !groups.containsKey(c.name())) {
          wanted.add(c.name());
        }
      }
    }
    SecretValues secrets = SecretValues.from(settings.env());
    for (Connector ldap : auth.directoryGroups()) {
      if (wanted.isEmpty()) {
        break;
      }
      Map<String, List<String>> found =
          new LdapCheck(AuthChecks.TIMEOUT).groupMembers(ldap, secrets, wanted);
      found.forEach(
          (name, members) ->
              listener.report(
                  "group "
                      + name
                      + ": "
                      + members.size()
                      + " member"
                      + (members.size() == 1 ? "" : "s")
                      + " in the directory of "
                      + ldap.where()));
      groups.putAll(found);
      wanted.removeAll(found.keySet());
    }
    if (!wanted.isEmpty()) {
      throw new KfbootException(
          "profiles name the group"
              + (wanted.size() == 1 ? " " : "s ")
              + String.join(", ", wanted)
              + ", found neither in auth.groups nor by any LDAP connector's groupSearch",
          "list the members under auth.groups, or check the groupSearch (baseDN, filter,"
              + " nameAttr) with 'kfboot auth check'; nothing was changed",
          ExitCategory.INVALID_INPUT);
    }
    return groups;
  }

  private ProfileSync sync(KubernetesClient client) {
    return new ProfileSync(client, settings.install().poll(), settings.timeout(), listener::report);
  }
}
