package io.kfboot.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kfboot completion bash|zsh}: a completion script from picocli's generator, for the whole
 * command tree.
 */
@Command(
    name = "completion",
    mixinStandardHelpOptions = true,
    description =
        "Print a shell completion script: source <(kfboot completion bash); zsh loads the same"
            + " through bashcompinit (autoload -U +X bashcompinit && bashcompinit; source <(kfboot"
            + " completion zsh)).")
final class CompletionCommand implements Callable<Integer> {
  private final Main.Context context;

  @Parameters(paramLabel = "SHELL", description = "bash or zsh.")
  Shell shell;

  enum Shell {
    bash,
    zsh
  }

  CompletionCommand(Main.Context context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    CommandLine tree = Main.commandLine(context);
    String script = AutoComplete.bash("kfboot", tree);
    context
        .out()
        .print(
            shell == Shell.zsh ? "autoload -U +X bashcompinit && bashcompinit\n" + script : script);
    context.out().flush();
    return ExitCodes.OK;
  }
}
