package io.kfboot.components.profiles;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The names KFAM (Kubeflow Access Management, behind the dashboard's "Manage contributors") gives a
 * contributor's RoleBinding and AuthorizationPolicy, so that the ones kfboot makes are the ones the
 * dashboard lists and removes. Copied rule for rule from KFAM's getBindingName (kubeflow/kubeflow
 * components/access-management/kfam/bindings.go): every run of characters other than letters and
 * digits in the user's name becomes one '-', the parts "User", name, "ClusterRole" and the role are
 * joined with '-', lower-cased, and the runs collapsed again. deployKF's single-character rule
 * differs for e-mails like {@code a..b@x.io}; this one does not.
 */
public final class KfamNames {
  private static final Pattern NOT_ALNUM = Pattern.compile("[^a-zA-Z0-9]+");

  private KfamNames() {}

  /**
   * @param role view, edit or admin (KFAM's short names, also the {@code role} annotation)
   */
  public static String bindingName(String user, String role) {
    // KFAM also URL-escapes the replaced name; after the replacement only letters, digits and '-'
    // are left, which escaping keeps as they are.
    String name = NOT_ALNUM.matcher(user).replaceAll("-");
    String raw = String.join("-", "User", name, "ClusterRole", role).toLowerCase(Locale.ROOT);
    return NOT_ALNUM.matcher(raw).replaceAll("-");
  }
}
