package io.kfboot.platform;

import io.kfboot.components.auth.Credentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Where the generated Dex password and OIDC secrets of a cluster are kept (0600), for install,
 * verify, up, ci and the stack alike: the --credentials flag (or its variable), else one file per
 * cluster under {@code $XDG_CONFIG_HOME/kfboot/credentials/}. A file that others can read is used,
 * but said loudly: it holds a password.
 */
public final class CredentialsStore {
  private final Path file;
  private final Consumer<String> warnings;

  private CredentialsStore(Path file, Consumer<String> warnings) {
    this.file = file;
    this.warnings = warnings;
  }

  /** The store of the cluster named {@code clusterName} (its kubeconfig context). */
  public static CredentialsStore forCluster(
      PlatformSettings settings, String clusterName, Consumer<String> warnings) {
    return new CredentialsStore(
        Optional.ofNullable(settings.credentialsFile())
            .orElseGet(
                () ->
                    configHome(settings.env())
                        .resolve("kfboot")
                        .resolve("credentials")
                        .resolve(clusterName + ".properties")),
        warnings);
  }

  /** The store of a Pulumi stack: one file per project and stack. */
  public static CredentialsStore forStack(
      Map<String, String> env, String project, String stack, Consumer<String> warnings) {
    return new CredentialsStore(
        configHome(env)
            .resolve("kfboot")
            .resolve("credentials")
            .resolve("pulumi-" + project + "-" + stack + ".properties"),
        warnings);
  }

  public static CredentialsStore at(Path file, Consumer<String> warnings) {
    return new CredentialsStore(file, warnings);
  }

  private static Path configHome(Map<String, String> env) {
    return XdgDirs.configHome(env);
  }

  public Path file() {
    return file;
  }

  public Credentials.Loaded loadOrCreate(String adminEmail) {
    return loadOrCreate(adminEmail, List.of());
  }

  /** With a generated password for each of {@code users} (kept in the same file). */
  public Credentials.Loaded loadOrCreate(String adminEmail, List<String> users) {
    warnIfOpen();
    return Credentials.loadOrCreate(file, adminEmail, users, new SecureRandom());
  }

  /** The credentials, if the install made them (verify reads them; it never makes new ones). */
  public Optional<Credentials> load() {
    warnIfOpen();
    return Credentials.load(file);
  }

  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE);

  private void warnIfOpen() {
    if (!Files.exists(file)) {
      return;
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      perms.retainAll(OTHERS);
      if (!perms.isEmpty()) {
        warnings.accept(
            "WARNING: credentials file "
                + file
                + " can be read or written by others ("
                + perms.size()
                + " group/other permission bits); it holds the Dex password: chmod 600 "
                + file);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // no POSIX permissions here: nothing to check
    }
  }
}
