package io.kfboot.cli;

import picocli.CommandLine.Command;

/** The top-level command; its subcommands do the work. */
@Command(
    name = "kfboot",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Bare Linux hosts to a verified Kubeflow platform on k3s.",
    subcommands = {
      HostsCommand.class,
      UpCommand.class,
      DownCommand.class,
      AccessCommand.class,
      CiCommand.class,
      KubeconfigCommand.class,
      PlanCommand.class,
      InstallCommand.class,
      StatusCommand.class,
      GpusCommand.class,
      VerifyCommand.class,
      UninstallCommand.class,
      ImagesCommand.class,
      ReleasesCommand.class,
      ManifestsCommand.class,
    },
    footer = {
      "",
      "Exit codes: 0 ok, 2 invalid input, 3 unexpected state, 4 internal error,",
      "5 missing tool, 6 integrity, 7 network, 8 render failed, 9 cluster API refused or unreachable,",
      "10 a host unreachable or a host step failed."
    })
final class KfbootCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
