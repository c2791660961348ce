package io.kfboot.bootstrap.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnownHostKeysTest {
  static final String KEY =
      "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";

  @Test
  void plainAndHashedEntriesAsOpenSshWritesThem(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("known_hosts"),
            "# a comment\nother.example "
                + KEY.replace("AAAAC3", "BBBBC3")
                + "\n"
                + "10.0.0.11,server-1 "
                + KEY
                + "\n[10.0.0.12]:2222 "
                + KEY
                + " comment\n");
    assertThat(KnownHostKeys.find(file, "10.0.0.11", 22)).contains(KEY);
    assertThat(KnownHostKeys.find(file, "10.0.0.12", 2222)).contains(KEY);
    assertThat(KnownHostKeys.find(file, "10.0.0.12", 22))
        .as("another port is another host")
        .isEmpty();
    assertThat(KnownHostKeys.find(dir.resolve("missing"), "10.0.0.11", 22)).isEmpty();

    // the real ssh-keygen hashes the names (HashKnownHosts)
    Process p;
    try {
      p =
          new ProcessBuilder("ssh-keygen", "-H", "-f", file.toString())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      assumeTrue(false, "skipped: no ssh-keygen here (" + e.getMessage() + ")");
      return;
    }
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    assertThat(Files.readString(file)).doesNotContain("10.0.0.11").contains("|1|");
    assertThat(KnownHostKeys.find(file, "10.0.0.11", 22)).contains(KEY);
    assertThat(KnownHostKeys.find(file, "server-1", 22)).contains(KEY);
    assertThat(KnownHostKeys.find(file, "10.0.0.12", 2222)).contains(KEY);
    assertThat(KnownHostKeys.find(file, "10.0.0.13", 22)).isEmpty();
  }
}
