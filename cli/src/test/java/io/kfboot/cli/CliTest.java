package io.kfboot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kfboot.manifests.testing.Fixtures;
import io.kfboot.testing.Need;
import io.kfboot.testing.Requires;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kfboot command end to end, in-process, with an explicit environment. */
@Requires({Need.KUSTOMIZE, Need.FIXTURES})
class CliTest {
  @TempDir Path tmp;
  private Map<String, String> env;

  @BeforeEach
  void env() {
    env = CliRun.env(tmp);
    env.put("KFBOOT_CACHE_DIR", tmp.resolve("cache").toString());
  }

  private CliRun run(String... args) {
    return CliRun.of(env, args);
  }

  @Test
  @DisplayName("plan --output json gives the full ordered v1.10.2 plan with correct counts")
  void planJson() throws Exception {
    Fixtures.kustomize();
    CliRun r =
        run(
            "plan",
            "--manifests",
            Fixtures.tarball(Fixtures.V1_10_2).toString(),
            "--output",
            "json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode plan = new ObjectMapper().readTree(r.out());
    assertThat(plan.get("schemaVersion").asInt()).isEqualTo(1);
    assertThat(plan.get("release").asText()).isEqualTo("v1.10.2");
    assertThat(plan.get("commit").asText()).isEqualTo(Fixtures.V1_10_2.commit());
    assertThat(plan.at("/totals/objects").asInt()).isEqualTo(611);
    assertThat(plan.at("/totals/crds").asInt()).isEqualTo(71);
    assertThat(plan.at("/totals/components").asInt())
        .as("the release's 29 and storage")
        .isEqualTo(30);
    assertThat(plan.at("/components/0/id").asText()).isEqualTo("storage");
    assertThat(plan.at("/totals/images").asInt()).isGreaterThan(40);
    Map<String, Integer> wave = new HashMap<>();
    int lastWave = 0;
    int objects = 0;
    for (JsonNode c : plan.get("components")) {
      int w = c.get("wave").asInt();
      assertThat(w).isGreaterThanOrEqualTo(lastWave);
      lastWave = w;
      for (JsonNode dep : c.get("dependsOn")) {
        assertThat(wave)
            .as(c.get("id").asText() + " after " + dep.asText())
            .containsKey(dep.asText());
        assertThat(wave.get(dep.asText())).isLessThan(w);
      }
      wave.put(c.get("id").asText(), w);
      objects += c.get("objects").asInt();
      assertThat(
              c.has("paths")
                  && c.has("crds")
                  && c.has("namespaces")
                  && c.has("images")
                  && c.has("gates"))
          .isTrue();
    }
    assertThat(objects).isEqualTo(611);
    assertThat(plan.get("waves").asInt()).isEqualTo(lastWave + 1);
    assertThat(r.err()).contains("rendered 29/29");
  }

  @Test
  void imagesListsEveryImageOnce() {
    Fixtures.kustomize();
    CliRun r =
        run(
            "images",
            "-q",
            "--manifests",
            Fixtures.tarball(Fixtures.V1_10_2).toString(),
            "--components",
            "cert-manager");
    assertThat(r.code()).as(r.err()).isZero();
    // cert-manager's three, the ACME solver its controller starts, and the storage probe's
    assertThat(r.out().lines().toList())
        .hasSize(5)
        .doesNotHaveDuplicates()
        .contains("quay.io/jetstack/cert-manager-acmesolver:v1.16.1")
        .filteredOn(l -> !l.contains("cert-manager"))
        .containsExactly("docker.io/library/busybox:1.37.0");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void imagesByRegistryAndTheMirrorCheckOfAnAirGappedInventory() throws Exception {
    Fixtures.kustomize();
    String tarball = Fixtures.tarball(Fixtures.V1_10_2).toString();
    String hosts = "hosts: [{name: box, address: 10.0.0.1, role: server}]\n";
    Path quayOnly =
        Files.writeString(
            tmp.resolve("quay-only.yaml"),
            "cluster: lab\nk3s: {token: {env: K3S_TOKEN}}\nregistries:\n"
                + "  disableDefaultEndpoint: true\n"
                + "  mirrors: {quay.io: [https://harbor.lab.example]}\n"
                + hosts);
    String[] certManager = {"images", "-q", "--manifests", tarball, "--components", "cert-manager"};

    CliRun grouped = run(concat(certManager, "--by-registry"));
    assertThat(grouped.code()).as(grouped.err()).isZero();
    assertThat(grouped.out())
        .contains("docker.io (1 image)\n  docker.io/library/busybox:1.37.0\n")
        .contains("  quay.io/jetstack/cert-manager-acmesolver:v1.16.1  (runtime)");

    CliRun missing = run(concat(certManager, "--check-mirrors", "-i", quayOnly.toString()));
    assertThat(missing.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(missing.out())
        .contains("docker.io (1 image, NO MIRROR: cannot be pulled)")
        .contains("quay.io (4 images, through https://harbor.lab.example)");
    assertThat(missing.err()).contains("no mirror for docker.io").contains("fix:");

    Path everything =
        Files.writeString(
            tmp.resolve("wildcard.yaml"),
            Files.readString(quayOnly)
                .replace(
                    "{quay.io: [https://harbor.lab.example]}",
                    "{\"*\": [https://harbor.lab.example]}"));
    CliRun json =
        run(concat(certManager, "--check-mirrors", "-i", everything.toString(), "-o", "json"));
    assertThat(json.code()).as(json.err()).isZero();
    JsonNode root = new ObjectMapper().readTree(json.out());
    assertThat(root.get("mirrorsPassed").asBoolean()).isTrue();
    JsonNode quay = root.get("registries").get("quay.io");
    assertThat(quay.get("covered").asBoolean()).isTrue();
    assertThat(quay.get("images").get(0).get("image").asText())
        .isEqualTo("quay.io/jetstack/cert-manager-acmesolver:v1.16.1");
    assertThat(quay.get("images").get(0).get("source").asText()).isEqualTo("runtime");
    assertThat(quay.get("images").get(0).has("digest")).isTrue();
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  @DisplayName("bad input gets a clear message, the fix, and its documented exit code")
  void badInputExitCodes() throws Exception {
    String tarball = Fixtures.tarball(Fixtures.V1_10_2).toString();
    CliRun unknownComponent = run("plan", "-q", "--manifests", tarball, "--components", "pipeline");
    assertThat(unknownComponent.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(unknownComponent.err()).contains("did you mean 'pipelines'?").contains("fix:");

    CliRun unknownTag = run("plan", "-q", "--manifests", "v0.0.1");
    assertThat(unknownTag.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(unknownTag.err())
        .contains("not supported")
        .contains("v1.8.1, v1.9.0")
        .contains("v1.11.0, 26.03");

    CliRun missing = run("plan", "-q", "--manifests", tmp.resolve("nope.tar.gz").toString());
    assertThat(missing.code()).isEqualTo(ExitCodes.INVALID_INPUT);

    Path corrupt =
        Files.write(tmp.resolve("corrupt.tar.gz"), new byte[] {31, (byte) 139, 8, 0, 1, 2, 3});
    CliRun corruptRun = run("plan", "-q", "--manifests", corrupt.toString());
    assertThat(corruptRun.code()).isEqualTo(ExitCodes.INTEGRITY);
    assertThat(corruptRun.err()).contains("corrupt or truncated");

    CliRun wrongSha = run("plan", "-q", "--manifests", tarball, "--sha256", "0".repeat(64));
    assertThat(wrongSha.code()).isEqualTo(ExitCodes.INTEGRITY);

    env.put("KFBOOT_KUSTOMIZE", tmp.resolve("no-kustomize").toString());
    CliRun noKustomize = run("plan", "-q", "--manifests", tarball);
    assertThat(noKustomize.code()).isEqualTo(ExitCodes.MISSING_TOOL);
    assertThat(noKustomize.err()).contains("KFBOOT_KUSTOMIZE");

    CliRun badFlag = run("plan", "--frobnicate");
    assertThat(badFlag.code()).isEqualTo(ExitCodes.INVALID_INPUT);
    assertThat(badFlag.err()).contains("Unknown option");

    CliRun badGateway =
        run("plan", "-q", "--manifests", tarball, "--gateway-service-type", "Ingress");
    assertThat(badGateway.code()).isEqualTo(ExitCodes.INVALID_INPUT);

    try (var s = Files.list(tmp.resolve("cache/tmp"))) {
      assertThat(s).as("bad input leaves nothing in the cache's tmp").isEmpty();
    }
  }

  @Test
  void remoteBasesExitWithNetworkCode() {
    Fixtures.kustomize();
    CliRun r = run("plan", "-q", "--manifests", Fixtures.tarball(Fixtures.V26_03).toString());
    assertThat(r.code()).isEqualTo(ExitCodes.NETWORK);
    assertThat(r.err()).contains("remote bases").contains("kfboot manifests vendor");
  }

  @Test
  void environmentSelectsTheReleaseAndTheFlagWins() {
    Fixtures.kustomize();
    env.put("KFBOOT_MANIFESTS", Fixtures.tarball(Fixtures.V26_03).toString());
    CliRun fromEnv = run("plan", "-q", "--components", "istio-crds");
    assertThat(fromEnv.code()).as(fromEnv.err()).isZero();
    assertThat(fromEnv.out()).contains("26.03");
    CliRun fromFlag =
        run(
            "plan",
            "-q",
            "--components",
            "istio-crds",
            "--manifests",
            Fixtures.tarball(Fixtures.V1_10_2).toString());
    assertThat(fromFlag.out()).contains("v1.10.2").doesNotContain("26.03 (");
  }

  @Test
  void releasesAndVersion() {
    CliRun r = run("releases");
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .containsPattern("v1\\.10\\.2 +d8d643f1a736b28c525bd9b8ee5c9b2f4a661b39")
        .contains("26.03");
    assertThat(run("--version").out()).startsWith("kfboot ");
  }
}
