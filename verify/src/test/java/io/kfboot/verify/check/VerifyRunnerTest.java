package io.kfboot.verify.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kfboot.verify.VerifyException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class VerifyRunnerTest {
  final List<String> ran = new ArrayList<>();

  VerifyCheck check(String id, List<String> after, RuntimeException fails) {
    return VerifyCheck.of(
        id,
        "check " + id,
        after,
        Duration.ofMinutes(1),
        (client, waiter, timeout) -> {
          ran.add(id);
          if (fails != null) {
            throw fails;
          }
          return id + " fine";
        });
  }

  VerifyRunner runner() {
    return new VerifyRunner(
        null,
        namespaces -> "pods of " + namespaces,
        Duration.ofMillis(5),
        Duration.ofSeconds(1),
        line -> {});
  }

  @Test
  void prerequisitesFirstAndDependentsOfAFailureAreSkippedNotRun() {
    List<VerifyCheck> checks =
        List.of(
            check("pipeline-run", List.of("dex-login"), null),
            check(
                "dex-login",
                List.of("pods"),
                new VerifyException(
                    "login page answered 502", "look at oauth2-proxy", "namespace auth: ...")),
            check("pods", List.of(), null),
            check("katib", List.of("pods"), null));
    List<CheckResult> results = runner().run(checks, Set.of());
    assertThat(ran).containsExactly("pods", "dex-login", "katib");
    assertThat(results)
        .extracting(CheckResult::id)
        .containsExactly("pods", "dex-login", "pipeline-run", "katib");
    assertThat(results.get(1).status()).isEqualTo(CheckResult.Status.FAILED);
    assertThat(results.get(1).detail())
        .isEqualTo("login page answered 502; fix: look at oauth2-proxy");
    assertThat(results.get(1).diagnostics()).isEqualTo("namespace auth: ...");
    assertThat(results.get(2).status()).isEqualTo(CheckResult.Status.SKIPPED);
    assertThat(results.get(2).detail()).isEqualTo("dex-login did not pass");
  }

  @Test
  void onlyRunsTheNamedChecksWithWhatTheyBuildOn() {
    List<VerifyCheck> checks =
        List.of(
            check("pods", List.of(), null),
            check("dex-login", List.of("pods"), null),
            check("katib", List.of("pods"), null));
    assertThat(runner().run(checks, Set.of("dex-login")))
        .extracting(CheckResult::id)
        .containsExactly("pods", "dex-login");
    assertThatThrownBy(() -> runner().run(checks, Set.of("kserve")))
        .hasMessageContaining("no check 'kserve'")
        .hasMessageContaining("pods, dex-login, katib");
  }

  @Test
  void anUnexpectedErrorFailsItsCheckAndTheOthersStillRun() {
    List<CheckResult> results =
        runner()
            .run(
                List.of(
                    check("a", List.of(), new IllegalStateException("API said 403")),
                    check("b", List.of(), null)),
                Set.of());
    assertThat(results)
        .extracting(CheckResult::status)
        .containsExactly(CheckResult.Status.FAILED, CheckResult.Status.PASSED);
    assertThat(results.get(0).detail()).contains("API said 403");
  }

  @Test
  void junitXmlIsWellFormedWithOneTestcasePerCheckAndEscapesWhatItCarries() throws Exception {
    List<CheckResult> results =
        List.of(
            new CheckResult(
                "pods-healthy",
                "pods",
                CheckResult.Status.PASSED,
                "12 pods healthy",
                "",
                Duration.ofMillis(1500)),
            new CheckResult(
                "dex-login",
                "login",
                CheckResult.Status.FAILED,
                "got <html> & \"quotes\"",
                "pod log: \u001b[31mred\u001b[0m",
                Duration.ofSeconds(3)),
            new CheckResult(
                "pipeline-run",
                "run",
                CheckResult.Status.SKIPPED,
                "dex-login did not pass",
                "",
                Duration.ZERO));
    String xml = Reports.junit(results, "kfboot-verify");
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    Element suite = doc.getDocumentElement();
    assertThat(suite.getAttribute("tests")).isEqualTo("3");
    assertThat(suite.getAttribute("failures")).isEqualTo("1");
    assertThat(suite.getAttribute("skipped")).isEqualTo("1");
    assertThat(doc.getElementsByTagName("testcase").getLength()).isEqualTo(3);
    Element failure = (Element) doc.getElementsByTagName("failure").item(0);
    assertThat(failure.getAttribute("message")).isEqualTo("got <html> & \"quotes\"");
    assertThat(failure.getTextContent()).contains("pod log: ?[31mred?[0m");
    assertThat(((Element) doc.getElementsByTagName("testcase").item(0)).getAttribute("time"))
        .isEqualTo("1.500");
    assertThat(Reports.text(results))
        .contains("3 checks: 1 passed, 1 failed, 1 skipped")
        .contains("diagnostics for dex-login");
  }
}
