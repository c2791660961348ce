package io.kfboot.cli;

import io.kfboot.components.profiles.ProfileSync;
import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.Profiles;
import io.kfboot.platform.SettingsInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kfboot profiles list|apply}: the inventory's profiles and contributors on the cluster. */
@Command(
    name = "profiles",
    mixinStandardHelpOptions = true,
    description = "List the cluster's profiles, or bring them to the inventory's profiles:.",
    subcommands = {ProfilesCommand.ListProfiles.class, ProfilesCommand.Apply.class})
final class ProfilesCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description =
          "Every Profile with its owner, its contributors (from the KFAM bindings the dashboard"
              + " reads too), and whether kfboot made it and whether it is stale.")
  static final class ListProfiles extends BaseCommand {
    @Mixin Options.Cluster cluster = new Options.Cluster();
    @Mixin Options.Output output = new Options.Output();

    ListProfiles(Main.Context context) {
      super(context);
    }

    @Override
    void input(SettingsInput in) {
      cluster.into(in);
    }

    @Override
    int run(PlatformSettings settings) {
      List<ProfileSync.Listed> profiles = new Profiles(settings, listener(settings)).list();
      if (output.json()) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schemaVersion", 1);
        List<Map<String, Object>> items = new ArrayList<>();
        for (ProfileSync.Listed p : profiles) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", p.name());
          m.put("owner", p.owner());
          m.put("managed", p.managed());
          m.put("stale", p.stale());
          m.put("contributors", p.contributors());
          items.add(m);
        }
        root.put("profiles", items);
        printJson(root);
      } else {
        StringBuilder sb = new StringBuilder();
        for (ProfileSync.Listed p : profiles) {
          sb.append(
              String.format(
                  "%-28s %-30s %s%n",
                  p.name(),
                  p.owner(),
                  (p.stale() ? "stale" : p.managed() ? "kfboot" : "other")
                      + (p.contributors().isEmpty() ? "" : "  " + p.contributors())));
        }
        print(sb.length() == 0 ? "no profiles" : sb.toString());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "apply",
      mixinStandardHelpOptions = true,
      description =
          "Apply the inventory's profiles: and their contributors (groups expanded into one KFAM"
              + " binding per member). Contributors kfboot made that are no longer listed are"
              + " removed; those added in the dashboard are kept. A profile kfboot made that the"
              + " inventory no longer lists is marked stale and loses kfboot's contributors; it"
              + " and its namespace are deleted only with --delete-stale-profile NAME.")
  static final class Apply extends BaseCommand {
    @Mixin Options.Identity identity = new Options.Identity();
    @Mixin Options.Cluster cluster = new Options.Cluster();
    @Mixin Options.Install tuning = new Options.Install();

    @Option(
        names = "--delete-stale-profile",
        paramLabel = "NAME",
        description =
            "Delete this stale profile, and with it its namespace and everything in it"
                + " (repeatable).")
    List<String> deleteStale = new ArrayList<>();

    Apply(Main.Context context) {
      super(context);
    }

    @Override
    void input(SettingsInput in) {
      identity.into(in);
      cluster.into(in);
      tuning.into(in);
    }

    @Override
    int run(PlatformSettings settings) {
      ProfileSync.Report r =
          new Profiles(settings, listener(settings)).apply(new LinkedHashSet<>(deleteStale));
      print(
          r.applied().size()
              + " applied, "
              + r.unchanged()
              + " unchanged, "
              + r.removed().size()
              + " contributors removed, "
              + r.stale().size()
              + " stale, "
              + r.deleted().size()
              + " deleted"
              + (r.stale().isEmpty() ? "" : "\nstale: " + String.join(", ", r.stale())));
      return ExitCodes.OK;
    }
  }
}
