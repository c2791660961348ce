package io.kfboot.platform;

/**
 * The settings a person may give through the environment as well as a flag, each with its one
 * variable. The precedence is kfboot's everywhere: flag, then environment, then the inventory (or
 * the stack's config), then the default. The CLI's default-value provider reads these names; {@link
 * PlatformSettings#resolve} adds the inventory and the defaults.
 */
public enum Setting {
  MANIFESTS("KFBOOT_MANIFESTS"),
  KUSTOMIZE("KFBOOT_KUSTOMIZE"),
  INVENTORY("KFBOOT_INVENTORY"),
  STORAGE("KFBOOT_STORAGE"),
  NFS_SERVER("KFBOOT_NFS_SERVER"),
  NFS_PATH("KFBOOT_NFS_PATH"),
  TIME_SLICING("KFBOOT_GPU_TIME_SLICING"),
  ADMIN_EMAIL("KFBOOT_ADMIN_EMAIL"),
  ISSUER("KFBOOT_DEX_ISSUER"),
  CREDENTIALS("KFBOOT_CREDENTIALS"),
  GATEWAY_URL("KFBOOT_GATEWAY_URL"),
  KNOWN_HOSTS("KFBOOT_KNOWN_HOSTS");

  /** Where the release archive is downloaded from (tests point it at a local server). */
  public static final String MANIFESTS_BASE_URL_ENV = "KFBOOT_MANIFESTS_BASE_URL";

  /**
   * A private key's content (CI secrets, the Pulumi stack), used for every host before the
   * inventory's key.
   */
  public static final String SSH_PRIVATE_KEY_ENV = "KFBOOT_SSH_PRIVATE_KEY";

  /**
   * A kubeconfig's content (the Pulumi stack's verify step, CI secrets): used when no --kubeconfig
   * is given, before KUBECONFIG, and never written to disk.
   */
  public static final String KUBECONFIG_CONTENT_ENV = "KFBOOT_KUBECONFIG_CONTENT";

  /**
   * The access sections (auth:, profiles:, gateway:) as YAML, secrets by reference only (the Pulumi
   * stack's profiles and verify steps): used before the inventory's own sections.
   */
  public static final String ACCESS_YAML_ENV = "KFBOOT_ACCESS_YAML";

  private final String env;

  Setting(String env) {
    this.env = env;
  }

  public String env() {
    return env;
  }
}
