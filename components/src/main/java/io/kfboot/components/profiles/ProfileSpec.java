package io.kfboot.components.profiles;

import java.util.List;
import java.util.Map;

/**
 * One entry of the inventory's {@code profiles:}: a namespace of a person or project.
 *
 * @param name the Profile's and its namespace's name
 * @param owner the owner's e-mail (the profile controller makes its admin binding)
 * @param resourceQuotaSpec passed to the Profile as it is (the controller makes kf-resource-quota
 *     from it); empty for none
 */
public record ProfileSpec(
    String name,
    String owner,
    Map<String, Object> resourceQuotaSpec,
    List<Contributor> contributors) {
  public ProfileSpec {
    contributors = List.copyOf(contributors);
  }
}
