package io.kfboot.bootstrap.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandTest {
  /** A real POSIX shell reads the quoted line back into the same argv. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "plain",
        "two words",
        "it's",
        "$HOME",
        "`id`",
        "a\"b",
        "new\nline",
        "*",
        "",
        "--flag=x y",
        "back\\slash",
        "é ü",
        ";rm -rf /"
      })
  void shellLineRoundTripsThroughARealShell(String word) throws Exception {
    Command c = Command.of("printf", "%s\\0", word, "tail");
    Process p = new ProcessBuilder("sh", "-c", c.shellLine()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    assertThat(List.of(out.split("\0", -1))).containsExactly(word, "tail", "");
  }

  @Test
  void safeWordsStayUnquoted() {
    assertThat(
            Command.of("k3s", "server", "--tls-san=10.0.0.1", "/etc/rancher/k3s/config.yaml")
                .shellLine())
        .isEqualTo("k3s server --tls-san=10.0.0.1 /etc/rancher/k3s/config.yaml");
  }

  @Test
  void sudoIsADecoratorThatNeverPrompts() {
    Command c = Command.of("swapoff", "-a").sudo();
    assertThat(c.argv()).containsExactly("sudo", "-n", "--", "swapoff", "-a");
    assertThat(c.sudo()).isEqualTo(c);
  }

  @Test
  void secretsNeverShowInTheRedactedView() {
    String token = "K10abc::server:s3cr3t";
    Command c = Command.of("k3s", "agent", "--token").secretArg(token).sudo();
    assertThat(c.shellLine()).contains(token);
    assertThat(c.redacted())
        .doesNotContain(token)
        .contains(Command.REDACTED)
        .startsWith("sudo -n -- k3s agent --token");
    assertThat(c.toString()).isEqualTo(c.redacted());

    Command env = Command.shell("K3S_TOKEN=" + token + " sh /tmp/install.sh").redacting(token);
    assertThat(env.redacted()).doesNotContain(token).doesNotContain("s3cr3t");

    Command stdin = Command.of("tee", "/etc/rancher/k3s/token").withSecretStdin(token);
    assertThat(stdin.redacted()).doesNotContain(token).endsWith("<<< " + Command.REDACTED);
    assertThat(new String(stdin.stdin(), StandardCharsets.UTF_8)).isEqualTo(token);
  }
}
