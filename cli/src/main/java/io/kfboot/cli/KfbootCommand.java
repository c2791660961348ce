package io.kfboot.cli;

import io.kfboot.platform.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level command; its subcommands do the work. */
@Command(
    name = "kfboot",
    mixinStandardHelpOptions = true,
    versionProvider = KfbootCommand.VersionProvider.class,
    description = "Bare Linux hosts to a verified Kubeflow platform on k3s.",
    subcommands = {
      HostsCommand.class,
      UpCommand.class,
      DownCommand.class,
      AccessCommand.class,
      AuthCommand.class,
      ProfilesCommand.class,
      StoresCommand.class,
      CiCommand.class,
      KubeconfigCommand.class,
      PlanCommand.class,
      InstallCommand.class,
      StatusCommand.class,
      GpusCommand.class,
      VerifyCommand.class,
      UninstallCommand.class,
      UpgradeCommand.class,
      BackupCommand.class,
      RestoreCommand.class,
      ImagesCommand.class,
      ReleasesCommand.class,
      ManifestsCommand.class,
      CompletionCommand.class,
    },
    footer = {
      "",
      "Exit codes: 0 ok, 2 invalid input, 3 unexpected state, 4 internal error,",
      "5 missing tool, 6 integrity, 7 network, 8 render failed, 9 cluster API refused or"
          + " unreachable,",
      "10 a host unreachable or a host step failed."
    })
final class KfbootCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** kfboot's version, as Maven filtered it. */
  static final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kfboot " + Version.current()};
    }
  }
}
