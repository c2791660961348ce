package io.kfboot.cli;

import io.kfboot.components.check.CheckResult;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.StoresChecks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kfboot stores check}: the inventory's external stores tried before Kubeflow uses them. */
@Command(
    name = "stores",
    mixinStandardHelpOptions = true,
    description = "Check the external stores (pipelines:, katib:) of an inventory.",
    subcommands = {StoresCommand.Check.class})
final class StoresCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Do what Pipelines and Katib will do with each external store, from this machine: for a"
              + " MySQL database, connect as configured, read the server's version, the account's"
              + " authentication plugin and its grants, and check each database exists or may be"
              + " created; for the S3 store, list the bucket and write, read, list and delete a"
              + " probe object. Changes nothing else. Exit 2 for a wrong setting, 7 for a store"
              + " that cannot be reached.")
  static final class Check extends BaseCommand {
    @Mixin Options.AccessInventory inventory = new Options.AccessInventory();
    @Mixin Options.Output output = new Options.Output();

    Check(Main.Context context) {
      super(context);
    }

    @Override
    void input(SettingsInput in) {
      inventory.into(in);
    }

    @Override
    int run(PlatformSettings settings) {
      StoresChecks checks = new StoresChecks(settings, listener(settings));
      if (!checks.anyExternal()) {
        throw new KfbootException(
            "no external stores to check",
            "pass -i inventory.yaml with pipelines.database, pipelines.objectStore or"
                + " katib.database (see docs/stores.md)",
            ExitCategory.INVALID_INPUT);
      }
      List<CheckResult> results = checks.run();
      if (output.json()) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", 1);
        root.put("stores", CheckReports.json(results, "store"));
        printJson(root);
      } else {
        StringBuilder sb = new StringBuilder();
        CheckReports.text(sb, results);
        print(sb.toString());
      }
      StoresChecks.requirePassed(results);
      return ExitCodes.OK;
    }
  }
}
