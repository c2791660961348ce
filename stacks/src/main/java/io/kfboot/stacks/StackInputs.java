package io.kfboot.stacks;

import com.pulumi.Config;
import io.kfboot.core.Digests;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.platform.SettingsInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the Pulumi program reads from its {@code kfboot:} config: the settings (as the CLI's flags
 * fill them), the secrets, and the inventory file the host steps are pointed at.
 */
final class StackInputs {
  private StackInputs() {}

  /** The validated config, with the names of the secret keys it has. */
  record Read(StackConfig stack, Set<String> secretsPresent) {}

  static Read read(Config config) {
    Map<String, String> values = new LinkedHashMap<>();
    for (String key : new TreeSet<>(StackConfig.KEYS)) {
      config.get(key).ifPresent(v -> values.put(key, v));
    }
    Set<String> present = new TreeSet<>();
    for (String key : StackConfig.SECRET_KEYS) {
      if (config.get(key).isPresent()) {
        present.add(key);
      }
    }
    return new Read(StackConfig.parse(values, present, Path.of(".")), present);
  }

  /**
   * The stack config as the settings input the CLI's flags would give: the same precedence below
   * it.
   */
  static SettingsInput settings(StackConfig stack) {
    SettingsInput input = new SettingsInput();
    input.manifests = stack.manifests().isEmpty() ? null : stack.manifests();
    input.quiet = true;
    input.components.addAll(stack.components());
    input.without.addAll(stack.without());
    input.gatewayServiceType = stack.gatewayServiceType();
    input.adminEmail = stack.adminEmail();
    input.accessYaml = stack.accessYaml();
    return input;
  }

  static KfbootStack.Secrets secrets(Config config, Set<String> present) {
    return new KfbootStack.Secrets(
        present.contains("k3sToken") ? config.requireSecret("k3sToken") : null,
        present.contains("sshPrivateKey") ? config.requireSecret("sshPrivateKey") : null,
        present.contains("kubeconfig") ? config.requireSecret("kubeconfig") : null);
  }

  /**
   * The inventory the host steps read, beside the project:
   * .kfboot/&lt;stack&gt;-inventory-&lt;sha256 prefix&gt;.yaml. One file per content: a host taken
   * out of the inventory is deleted by a command Pulumi stored with the inventory that still lists
   * it, so that file must stay.
   */
  static String writeInventory(StackConfig stack, String stackName) {
    return writeInventory(stack, stackName, Path.of(".kfboot"));
  }

  static String writeInventory(StackConfig stack, String stackName, Path folder) {
    if (stack.inventory() == null) {
      return null;
    }
    try {
      Path dir = Files.createDirectories(folder);
      String name =
          stackName
              + "-inventory-"
              + Digests.sha256Hex(stack.inventoryYaml()).substring(0, 12)
              + ".yaml";
      return Files.writeString(dir.resolve(name), stack.inventoryYaml())
          .toAbsolutePath()
          .toString();
    } catch (IOException e) {
      throw new KfbootException(
          "cannot write the stack's inventory under .kfboot: " + e.getMessage(),
          "check that the project folder is writable",
          ExitCategory.INVALID_INPUT);
    }
  }
}
