package io.kfboot.cli;

import io.kfboot.components.check.CheckResult;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.platform.AuthChecks;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kfboot auth check}: the inventory's identity providers tried before Dex uses them. */
@Command(
    name = "auth",
    mixinStandardHelpOptions = true,
    description = "Check the identity settings (auth:) of an inventory.",
    subcommands = {AuthCommand.Check.class})
final class AuthCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Do what Dex will do with each connector, from this machine: for LDAP, connect (LDAPS,"
              + " StartTLS or plain, as configured), bind with bindDN and bindPW, and search the"
              + " users and groups; for OIDC, read the provider's discovery document and compare"
              + " its issuer; for every connector, check the redirect URI a browser is sent back"
              + " to. Changes nothing. Exit 2 for a wrong setting, 7 for a server that cannot be"
              + " reached or trusted.")
  static final class Check extends BaseCommand {
    @Mixin Options.Identity identity = new Options.Identity();
    @Mixin Options.Output output = new Options.Output();

    @Option(
        names = "--user",
        paramLabel = "NAME",
        description = "Also look this username up in each LDAP connector, as Dex does at login.")
    String user;

    Check(Main.Context context) {
      super(context);
    }

    @Override
    void input(SettingsInput in) {
      identity.into(in);
    }

    @Override
    int run(PlatformSettings settings) {
      AuthChecks checks = new AuthChecks(settings, listener(settings));
      if (settings.inventory().isEmpty() && checks.connectorCount() == 0) {
        throw new KfbootException(
            "no connectors to check",
            "pass -i inventory.yaml with auth.connectors (see docs/identity.md)",
            ExitCategory.INVALID_INPUT);
      }
      List<CheckResult> results = checks.run(user);
      if (output.json()) {
        printJson(json(settings.issuer(), results));
      } else {
        print(text(settings.issuer(), results));
      }
      AuthChecks.requirePassed(results);
      return ExitCodes.OK;
    }

    static String text(String issuer, List<CheckResult> results) {
      StringBuilder sb = new StringBuilder("Dex issuer: " + issuer + "\n");
      if (results.isEmpty()) {
        sb.append("no connectors: only Dex's static users log in\n");
      }
      CheckReports.text(sb, results);
      return sb.toString();
    }

    static Map<String, Object> json(String issuer, List<CheckResult> results) {
      Map<String, Object> root = new LinkedHashMap<>();
      root.put("schemaVersion", 1);
      root.put("issuer", issuer);
      root.put("connectors", CheckReports.json(results, "id"));
      return root;
    }
  }
}
