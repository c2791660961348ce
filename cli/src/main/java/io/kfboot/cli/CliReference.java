package io.kfboot.cli;

import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * docs/cli.md, written from the command tree itself: every command, its description and every
 * option with its description, so the reference cannot drift from {@code kfboot --help}.
 */
final class CliReference {
  private CliReference() {}

  static String markdown() {
    // an empty environment: defaults as the annotations give them, not this machine's variables
    CommandLine root = Main.commandLine(new Main.Context(Map.of(), System.out, System.err));
    StringBuilder sb = new StringBuilder();
    sb.append("# CLI reference\n\n");
    sb.append("Generated from kfboot's command tree by `CliReferenceTest` (run the tests with")
        .append(
            " `-Dkfboot.docs.write=true` to write it again); `kfboot COMMAND --help` prints the"
                + " same.\n")
        .append(
            "Progress goes to stderr (`-q` silences it); results go to stdout. Precedence of every"
                + " setting:\n")
        .append(
            "flag > environment > inventory or stack config > default"
                + " ([configuration.md](configuration.md)).\n");
    command(root, sb);
    sb.append("\n## Exit codes\n\n");
    for (String line : root.getCommandSpec().usageMessage().footer()) {
      if (!line.isBlank()) {
        sb.append(line).append('\n');
      }
    }
    return sb.toString();
  }

  private static void command(CommandLine cl, StringBuilder sb) {
    CommandSpec spec = cl.getCommandSpec();
    sb.append("\n## `").append(spec.qualifiedName(" ")).append("`\n\n");
    sb.append(String.join(" ", spec.usageMessage().description())).append('\n');
    List<PositionalParamSpec> params = spec.positionalParameters();
    List<OptionSpec> options =
        spec.options().stream().filter(o -> !o.usageHelp() && !o.versionHelp()).toList();
    if (!params.isEmpty() || !options.isEmpty()) {
      sb.append("\n| option | meaning |\n|---|---|\n");
      for (PositionalParamSpec p : params) {
        sb.append("| `")
            .append(p.paramLabel())
            .append("` | ")
            .append(cell(String.join(" ", p.description())))
            .append(" |\n");
      }
      for (OptionSpec o : options) {
        String names =
            String.join(", ", o.names()) + (o.arity().max() > 0 ? " " + o.paramLabel() : "");
        String description =
            String.join(" ", o.description())
                .replace("${DEFAULT-VALUE}", String.valueOf(o.defaultValue()));
        sb.append("| `").append(names).append("` | ").append(cell(description)).append(" |\n");
      }
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      command(sub, sb);
    }
  }

  private static String cell(String s) {
    return s.replace("|", "\\|").replace("\n", " ");
  }
}
