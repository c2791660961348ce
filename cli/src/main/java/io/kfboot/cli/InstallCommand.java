package io.kfboot.cli;

import io.kfboot.components.install.InstallReport;
import io.kfboot.platform.Installation;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kfboot install}: the plan, applied to a cluster in dependency order with readiness gates.
 */
@Command(
    name = "install",
    mixinStandardHelpOptions = true,
    description =
        "Install the planned Kubeflow components on a cluster: dependency order, readiness gates,"
            + " generated credentials. Rerun it after a failure or a kill: it resumes, and on an"
            + " installed cluster it changes nothing.")
final class InstallCommand extends BaseCommand {
  @Mixin Options.Release release = new Options.Release();
  @Mixin Options.Selection selection = new Options.Selection();
  @Mixin Options.Cluster cluster = new Options.Cluster();
  @Mixin Options.Install tuning = new Options.Install();
  @Mixin Options.Platform platform = new Options.Platform();
  @Mixin Options.Output output = new Options.Output();

  @Mixin Options.Admin admin = new Options.Admin();
  @Mixin Options.Issuer issuer = new Options.Issuer();
  @Mixin Options.Credentials credentials = new Options.Credentials();

  @Option(names = "--verbose", description = "A progress line for every object.")
  boolean verbose;

  InstallCommand(Main.Context context) {
    super(context);
  }

  @Override
  void input(SettingsInput in) {
    release.into(in);
    selection.into(in);
    cluster.into(in);
    tuning.into(in);
    platform.into(in);
    admin.into(in);
    issuer.into(in);
    credentials.into(in);
    in.verbose = verbose;
  }

  @Override
  int run(PlatformSettings settings) {
    Installation.Installed done = new Installation(settings, listener(settings)).install();
    if (output.json()) {
      printJson(
          json(
              done.report(),
              done.credentialsFile(),
              done.credentials().credentials().adminEmail()));
    } else {
      print(text(done));
    }
    return ExitCodes.OK;
  }

  static String text(Installation.Installed done) {
    InstallReport report = done.report();
    StringBuilder sb = new StringBuilder();
    sb.append("kubeflow/manifests ")
        .append(report.release())
        .append(" installed in ")
        .append(String.format("%.1fs", report.elapsed().toMillis() / 1000.0))
        .append(": ")
        .append(
            report.changes() == 0
                ? "nothing changed"
                : report.changes() + " objects created or configured")
        .append('\n');
    for (InstallReport.ComponentResult c : report.components()) {
      sb.append(
          String.format(
              "  %-26s %s%n",
              c.id(),
              c.changed()
                  ? c.created() + " created, " + c.configured() + " configured"
                  : "unchanged"));
    }
    sb.append(logins(done));
    return sb.toString();
  }

  /**
   * Where the Dex logins are, and the passwords made by this run: shown once, then only in the 0600
   * credentials file.
   */
  static String logins(Installation.Installed done) {
    StringBuilder sb = new StringBuilder();
    sb.append("Dex login: ")
        .append(done.credentials().credentials().adminEmail())
        .append(", password in ")
        .append(done.credentialsFile())
        .append('\n');
    if (done.credentials().created()) {
      // Shown once, when it is made; afterwards only the 0600 file holds it.
      sb.append("Generated password (shown this once): ")
          .append(done.credentials().credentials().adminPassword())
          .append('\n');
    }
    for (String user : done.credentials().newUsers()) {
      sb.append("Generated password for ")
          .append(user)
          .append(" (shown this once): ")
          .append(done.credentials().credentials().users().get(user).password())
          .append('\n');
    }
    return sb.toString();
  }

  static Map<String, Object> json(InstallReport report, Path credentialsFile, String adminEmail) {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("schemaVersion", 1);
    root.put("release", report.release());
    root.put("commit", report.commit());
    root.put("seconds", report.elapsed().toMillis() / 1000.0);
    root.put("changes", report.changes());
    List<Map<String, Object>> components =
        report.components().stream()
            .map(
                c -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("id", c.id());
                  m.put("created", c.created());
                  m.put("configured", c.configured());
                  m.put("unchanged", c.unchanged());
                  m.put("seconds", c.elapsed().toMillis() / 1000.0);
                  return m;
                })
            .toList();
    root.put("components", components);
    root.put("adminEmail", adminEmail);
    root.put("credentialsFile", credentialsFile.toString());
    return root;
  }
}
