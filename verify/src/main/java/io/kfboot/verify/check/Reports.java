package io.kfboot.verify.check;

import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** The results of a verify run as text for people, a JSON-ready map, and JUnit XML for CI. */
public final class Reports {
  private Reports() {}

  public static String text(List<CheckResult> results) {
    StringBuilder b = new StringBuilder();
    for (CheckResult r : results) {
      b.append(
          String.format(
              "%-8s %-22s %6.1fs  %s%n",
              r.status().name(), r.id(), r.elapsed().toMillis() / 1000.0, r.detail()));
    }
    long failed = results.stream().filter(CheckResult::failed).count();
    long skipped = results.stream().filter(r -> r.status() == CheckResult.Status.SKIPPED).count();
    b.append(results.size())
        .append(" checks: ")
        .append(results.size() - failed - skipped)
        .append(" passed, ")
        .append(failed)
        .append(" failed, ")
        .append(skipped)
        .append(" skipped\n");
    for (CheckResult r : results) {
      if (r.failed() && !r.diagnostics().isBlank()) {
        b.append("\ndiagnostics for ").append(r.id()).append(":\n").append(r.diagnostics());
      }
    }
    return b.toString();
  }

  public static Map<String, Object> json(List<CheckResult> results) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schemaVersion", 1);
    root.put("passed", results.stream().noneMatch(CheckResult::failed));
    root.put(
        "checks",
        results.stream()
            .map(
                r -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("id", r.id());
                  m.put("description", r.description());
                  m.put("status", r.status().name().toLowerCase());
                  m.put("seconds", r.elapsed().toMillis() / 1000.0);
                  m.put("detail", r.detail());
                  if (!r.diagnostics().isBlank()) {
                    m.put("diagnostics", r.diagnostics());
                  }
                  return m;
                })
            .toList());
    return root;
  }

  /**
   * The JUnit XML that CI systems read (Jenkins, GitLab, GitHub actions' test reporters): one
   * testsuite "kfboot-verify", one testcase per check, a failure with the message and the
   * diagnostics, a skipped element with the reason.
   */
  public static String junit(List<CheckResult> results, String suiteName) {
    StringWriter out = new StringWriter();
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuite");
      x.writeAttribute("name", suiteName);
      x.writeAttribute("tests", String.valueOf(results.size()));
      x.writeAttribute(
          "failures", String.valueOf(results.stream().filter(CheckResult::failed).count()));
      x.writeAttribute("errors", "0");
      x.writeAttribute(
          "skipped",
          String.valueOf(
              results.stream().filter(r -> r.status() == CheckResult.Status.SKIPPED).count()));
      x.writeAttribute(
          "time", seconds(results.stream().mapToLong(r -> r.elapsed().toMillis()).sum()));
      for (CheckResult r : results) {
        x.writeCharacters("\n  ");
        x.writeStartElement("testcase");
        x.writeAttribute("classname", suiteName);
        x.writeAttribute("name", r.id());
        x.writeAttribute("time", seconds(r.elapsed().toMillis()));
        if (r.failed()) {
          x.writeStartElement("failure");
          x.writeAttribute("message", xmlSafe(r.detail()));
          x.writeCharacters(
              xmlSafe(r.detail() + (r.diagnostics().isBlank() ? "" : "\n\n" + r.diagnostics())));
          x.writeEndElement();
        } else if (r.status() == CheckResult.Status.SKIPPED) {
          x.writeEmptyElement("skipped");
          x.writeAttribute("message", xmlSafe(r.detail()));
        } else {
          x.writeStartElement("system-out");
          x.writeCharacters(xmlSafe(r.detail()));
          x.writeEndElement();
        }
        x.writeEndElement();
      }
      x.writeCharacters("\n");
      x.writeEndElement();
      x.writeCharacters("\n");
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IllegalStateException("cannot write JUnit XML", e);
    }
    return out.toString();
  }

  /** XML 1.0 allows neither most control characters (a log's ANSI escapes) nor lone surrogates. */
  static String xmlSafe(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            c -> {
              boolean ok =
                  c == 0x9
                      || c == 0xA
                      || c == 0xD
                      || (c >= 0x20 && c <= 0xD7FF)
                      || (c >= 0xE000 && c <= 0xFFFD)
                      || (c >= 0x10000 && c <= 0x10FFFF);
              b.appendCodePoint(ok ? c : '?');
            });
    return b.toString();
  }

  private static String seconds(long millis) {
    return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
  }
}
