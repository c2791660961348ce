package io.kfboot.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

class YamlReaderTest {
  @Test
  void everyProblemIsCollectedWithItsLineAndTheNearestKnownKey() {
    YamlReader yaml = new YamlReader();
    MappingNode root =
        yaml.root(
                new StringReader(
                    """
                    name: lab
                    sudoo: yes
                    sudo: maybe
                    port: 70000
                    port2: [1]
                    """),
                "a mapping")
            .orElseThrow();
    Map<String, Node> m = yaml.keys(root, "the top level", Set.of("name", "sudo", "port", "count"));
    assertThat(yaml.string(m, root, "name", null, true)).isEqualTo("lab");
    assertThat(yaml.bool(m, root, "sudo", true)).isTrue();
    assertThat(yaml.integer(m, root, "port", 22, 1, 65535)).isEqualTo(22);
    assertThat(yaml.string(m, root, "count", "x", true)).isEqualTo("x");
    assertThat(yaml.problems())
        .containsExactly(
            "line 2: unknown key 'sudoo' in the top level; did you mean 'sudo'?",
            "line 5: unknown key 'port2' in the top level; did you mean 'port'?",
            "line 3: sudo must be true or false, not 'maybe'",
            "line 4: port must be a whole number from 1 to 65535, not '70000'",
            "line 1: count is missing");
  }

  @Test
  void yesAndNoAreBooleansAsYaml11HasThemAndNothingElseIsSilentlyFalse() {
    assertThat(YamlReader.yamlBoolean("yes")).isTrue();
    assertThat(YamlReader.yamlBoolean("On")).isTrue();
    assertThat(YamlReader.yamlBoolean("no")).isFalse();
    assertThat(YamlReader.yamlBoolean("false")).isFalse();
    assertThat(YamlReader.yamlBoolean("maybe")).isNull();
  }

  @Test
  void noYamlOrNoMappingIsAProblemNotAnException() {
    YamlReader yaml = new YamlReader();
    assertThat(yaml.root(new StringReader("a: [\n"), "a mapping")).isEmpty();
    assertThat(yaml.root(new StringReader("- 1\n"), "a mapping with hosts")).isEmpty();
    assertThat(yaml.problems())
        .hasSize(2)
        .anySatisfy(p -> assertThat(p).startsWith("not valid YAML"))
        .anySatisfy(p -> assertThat(p).isEqualTo("line 1: expected a mapping with hosts"));
  }
}
