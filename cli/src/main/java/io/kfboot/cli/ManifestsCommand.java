package io.kfboot.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code kfboot manifests}: work on release trees themselves. */
@Command(
    name = "manifests",
    mixinStandardHelpOptions = true,
    description = "Work on kubeflow/manifests release trees.",
    subcommands = {VendorCommand.class})
final class ManifestsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
