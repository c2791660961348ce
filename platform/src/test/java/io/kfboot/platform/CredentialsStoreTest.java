package io.kfboot.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialsStoreTest {
  @TempDir Path tmp;

  @Test
  void aFileOthersCanReadIsUsedButSaidLoudly() throws Exception {
    List<String> warnings = new ArrayList<>();
    CredentialsStore store = CredentialsStore.at(tmp.resolve("c.properties"), warnings::add);
    assertThat(store.loadOrCreate("admin@example.org").created()).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())))
        .isEqualTo("rw-------");
    assertThat(store.load()).isPresent();
    assertThat(warnings).as("a private file is used quietly").isEmpty();
    Files.setPosixFilePermissions(store.file(), PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(store.loadOrCreate("admin@example.org").created()).isFalse();
    assertThat(warnings)
        .singleElement()
        .asString()
        .contains("can be read or written by others")
        .contains("chmod 600 " + store.file());
  }

  @Test
  void filesLiveUnderXdgConfigHomePerClusterAndPerStack() {
    PlatformSettings settings =
        PlatformSettings.resolve(
            new SettingsInput(), Map.of("XDG_CONFIG_HOME", tmp.toString(), "HOME", "/nonexistent"));
    assertThat(CredentialsStore.forCluster(settings, "lab", w -> {}).file())
        .isEqualTo(tmp.resolve("kfboot/credentials/lab.properties"));
    assertThat(
            CredentialsStore.forStack(Map.of("HOME", tmp.toString()), "kfboot", "dev", w -> {})
                .file())
        .isEqualTo(tmp.resolve(".config/kfboot/credentials/pulumi-kfboot-dev.properties"));
  }
}
