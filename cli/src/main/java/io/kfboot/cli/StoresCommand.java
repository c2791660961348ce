package io.kfboot.cli;

import io.kfboot.components.check.CheckResult;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import io.kfboot.platform.StoreSwitch;
import io.kfboot.platform.StoresChecks;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kfboot stores check}: the inventory's external stores tried before Kubeflow uses them. */
@Command(
    name = "stores",
    mixinStandardHelpOptions = true,
    description =
        "Check the external stores (pipelines:, katib:) of an inventory, and move an installed"
            + " cluster onto them.",
    subcommands = {StoresCommand.Check.class, StoresCommand.Switch.class})
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
              + " probe object. Changes nothing else. A secretRef's password is read from the"
              + " cluster (--kubeconfig). Exit 2 for a wrong setting, 7 for a store that cannot be"
              + " reached.")
  static final class Check extends BaseCommand {
    @Mixin Options.AccessInventory inventory = new Options.AccessInventory();
    // a secretRef's password is read from the cluster
    @Mixin Options.Cluster cluster = new Options.Cluster();
    @Mixin Options.Output output = new Options.Output();

    Check(Main.Context context) {
      super(context);
    }

    @Override
    void input(SettingsInput in) {
      inventory.into(in);
      cluster.into(in);
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

  @Command(
      name = "switch",
      mixinStandardHelpOptions = true,
      description =
          "Move an installed cluster from its in-cluster MySQL and MinIO/SeaweedFS to the external"
              + " stores of the inventory, data and all: the external stores checked; the writers"
              + " (ml-pipeline, cache-server, metadata-grpc, the profile controller,"
              + " katib-db-manager) scaled to 0; each database dumped from its pod and loaded into"
              + " the external server under the inventory's names; the bucket copied, checksums"
              + " compared; the profile controller's per-namespace store objects deleted for it to"
              + " make anew; the plan with the external stores applied; the writers back. The"
              + " in-cluster servers and their claims are left running for you to remove. A store"
              + " the inventory has in-cluster again is copied back into the server the switch"
              + " kept. A rerun does what is left. --plan shows the steps and changes nothing.")
  static final class Switch extends BaseCommand {
    @Mixin Options.AccessInventory inventory = new Options.AccessInventory();
    @Mixin Options.Release release = new Options.Release();
    @Mixin Options.Cluster cluster = new Options.Cluster();
    @Mixin Options.Install tuning = new Options.Install();
    @Mixin Options.Output output = new Options.Output();

    @Option(names = "--plan", description = "Show what the switch would do; change nothing.")
    boolean plan;

    @Option(
        names = "--backup-dir",
        paramLabel = "DIR",
        description =
            "Where the database dumps go, 0600 (default:"
                + " $XDG_STATE_HOME/kfboot/backups/CLUSTER/store-switch-TIME).")
    Path backupDir;

    Switch(Main.Context context) {
      super(context);
    }

    @Override
    void input(SettingsInput in) {
      inventory.into(in);
      release.into(in);
      cluster.into(in);
      tuning.into(in);
    }

    @Override
    int run(PlatformSettings settings) {
      StoreSwitch storeSwitch = new StoreSwitch(settings, listener(settings));
      StoreSwitch.Plan p;
      StoreSwitch.Done done = null;
      if (plan) {
        p = storeSwitch.plan();
      } else {
        done = storeSwitch.apply(backupDir);
        p = done.plan();
      }
      if (output.json()) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", 1);
        root.put(
            "moves",
            p.moves().stream()
                .map(
                    m ->
                        Map.of(
                            "field",
                            m.field(),
                            "toExternal",
                            m.toExternal(),
                            "from",
                            m.from(),
                            "to",
                            m.to()))
                .toList());
        root.put("steps", p.steps());
        root.put("writers", p.writers());
        root.put("namespaces", p.namespaces());
        root.put("kept", p.kept());
        if (done != null) {
          root.put("dir", done.dir() == null ? null : done.dir().toString());
          root.put("done", done.done());
        }
        printJson(root);
        return ExitCodes.OK;
      }
      StringBuilder sb = new StringBuilder();
      if (p.nothingToDo()) {
        sb.append("the cluster uses the stores the inventory names: nothing to do\n");
      } else {
        p.moves()
            .forEach(
                m ->
                    sb.append(m.field())
                        .append(": ")
                        .append(m.from())
                        .append(" -> ")
                        .append(m.to())
                        .append('\n'));
        sb.append(done == null ? "steps:\n" : "done:\n");
        (done == null ? p.steps() : done.done())
            .forEach(st -> sb.append("  ").append(st).append('\n'));
        if (done != null) {
          sb.append("dumps: ").append(done.dir()).append('\n');
          sb.append("left running for you to remove: ")
              .append(String.join(", ", p.kept()))
              .append('\n');
        }
      }
      print(sb.toString());
      return ExitCodes.OK;
    }
  }
}
