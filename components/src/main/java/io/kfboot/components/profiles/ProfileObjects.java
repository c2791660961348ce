package io.kfboot.components.profiles;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.manifests.parse.K8sObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The objects of the inventory's profiles, a pure function of them and the groups: per profile a
 * {@code Profile} (the profile controller makes the namespace, the owner's admin binding and the
 * quota from it), and per contributor the RoleBinding and AuthorizationPolicy KFAM would make for
 * "Manage contributors", with KFAM's names and annotations (kubeflow/kubeflow
 * components/access-management/kfam/bindings.go), so the dashboard shows and edits them. Groups are
 * expanded into one pair per member; a user named more than once gets the most permissive role.
 * Every object carries {@link #MANAGED}, so that bindings made in the dashboard are told apart and
 * left alone.
 */
public final class ProfileObjects {
  public static final String MANAGED = "kfboot.io/managed";
  static final String GATEWAY_PRINCIPAL =
      "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account";
  static final String KFP_UI_PRINCIPAL = "cluster.local/ns/kubeflow/sa/ml-pipeline-ui";
  private static final List<String> BY_POWER = List.of("view", "edit", "admin");

  private ProfileObjects() {}

  public static List<K8sObject> render(
      List<ProfileSpec> profiles, Map<String, List<String>> groups) {
    List<K8sObject> out = new ArrayList<>();
    for (ProfileSpec p : profiles) {
      out.add(profile(p));
      for (Map.Entry<String, String> member : members(p, groups).entrySet()) {
        out.add(roleBinding(p.name(), member.getKey(), member.getValue()));
        out.add(authorizationPolicy(p.name(), member.getKey(), member.getValue()));
      }
    }
    return out;
  }

  /**
   * Each contributor's e-mail and role, groups expanded, the most permissive role kept; the owner
   * is not among them.
   */
  public static Map<String, String> members(ProfileSpec p, Map<String, List<String>> groups) {
    Map<String, String> roles = new LinkedHashMap<>();
    for (Contributor c : p.contributors()) {
      List<String> emails =
          c.kind().equals("user") ? List.of(c.name()) : groups.getOrDefault(c.name(), List.of());
      for (String e : emails) {
        if (e.equals(p.owner())) {
          continue; // the owner is admin through the profile controller's own binding
        }
        roles.merge(e, c.role(), (a, b) -> BY_POWER.indexOf(a) >= BY_POWER.indexOf(b) ? a : b);
      }
    }
    Map<String, String> byName = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : roles.entrySet()) {
      String name = KfamNames.bindingName(e.getKey(), e.getValue());
      String other = byName.put(name, e.getKey());
      if (other != null) {
        throw new KfbootException(
            "profiles["
                + p.name()
                + "]: "
                + other
                + " and "
                + e.getKey()
                + " get the same KFAM"
                + " binding name "
                + name,
            "KFAM names bindings by the e-mail's letters and digits only; one of them cannot be a"
                + " contributor of this profile",
            ExitCategory.INVALID_INPUT);
      }
    }
    return roles;
  }

  static K8sObject profile(ProfileSpec p) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("owner", K8sObject.map("kind", "User", "name", p.owner()));
    if (!p.resourceQuotaSpec().isEmpty()) {
      spec.put("resourceQuotaSpec", p.resourceQuotaSpec());
    }
    return K8sObject.of(
        K8sObject.map(
            "apiVersion",
            "kubeflow.org/v1",
            "kind",
            "Profile",
            "metadata",
            K8sObject.map("name", p.name(), "labels", K8sObject.map(MANAGED, "true")),
            "spec",
            spec));
  }

  static K8sObject roleBinding(String namespace, String email, String role) {
    return K8sObject.of(
        K8sObject.map(
            "apiVersion", "rbac.authorization.k8s.io/v1",
            "kind", "RoleBinding",
            "metadata", metadata(namespace, email, role),
            "roleRef",
                K8sObject.map(
                    "apiGroup", "rbac.authorization.k8s.io",
                    "kind", "ClusterRole",
                    "name", "kubeflow-" + role),
            "subjects",
                List.of(
                    K8sObject.map(
                        "apiGroup", "rbac.authorization.k8s.io", "kind", "User", "name", email))));
  }

  static K8sObject authorizationPolicy(String namespace, String email, String role) {
    Map<String, Object> rule =
        K8sObject.map(
            "from",
                List.of(
                    K8sObject.map(
                        "source",
                        K8sObject.map("principals", List.of(GATEWAY_PRINCIPAL, KFP_UI_PRINCIPAL)))),
            "when",
                List.of(
                    K8sObject.map(
                        "key", "request.headers[kubeflow-userid]", "values", List.of(email))));
    return K8sObject.of(
        K8sObject.map(
            "apiVersion",
            "security.istio.io/v1beta1",
            "kind",
            "AuthorizationPolicy",
            "metadata",
            metadata(namespace, email, role),
            "spec",
            K8sObject.map("rules", List.of(rule))));
  }

  private static Map<String, Object> metadata(String namespace, String email, String role) {
    return K8sObject.map(
        "name", KfamNames.bindingName(email, role),
        "namespace", namespace,
        "labels", K8sObject.map(MANAGED, "true"),
        "annotations", K8sObject.map("user", email, "role", role));
  }
}
