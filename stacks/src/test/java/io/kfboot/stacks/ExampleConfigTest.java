package io.kfboot.stacks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The example stack configuration the README points at is valid, as Pulumi hands it over. */
class ExampleConfigTest {
  @Test
  @SuppressWarnings("unchecked")
  void theExampleStackConfigPassesValidation() throws Exception {
    Map<String, Object> file = new Yaml().load(Files.readString(Path.of("Pulumi.example.yaml")));
    Map<String, String> values = new LinkedHashMap<>();
    // Pulumi gives objects and lists to the program as JSON text; YAML's flow style is JSON's
    // superset
    ((Map<String, Object>) file.get("config"))
        .forEach(
            (k, v) ->
                values.put(
                    k.substring("kfboot:".length()),
                    v instanceof String s ? s : new ObjectMapper().valueToTree(v).toString()));
    StackConfig c = StackConfig.parse(values, Set.of("k3sToken", "sshPrivateKey"), Path.of("."));
    assertThat(c.inventory().cluster()).isEqualTo("lab");
    assertThat(c.wantsGpu()).isTrue();
    assertThat(c.storage().nfs().address()).isEqualTo("10.0.0.11");
    assertThat(Files.readString(Path.of("Pulumi.yaml")))
        .contains("runtime:")
        .contains("name: java")
        .contains("../cli/target/kfboot.jar");
  }
}
