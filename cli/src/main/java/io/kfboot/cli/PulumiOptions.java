package io.kfboot.cli;

import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import io.kfboot.stacks.PulumiEngine;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of {@code up --engine pulumi}. */
final class PulumiOptions {
  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      description = "cli (kfboot itself) or pulumi (default: ${DEFAULT-VALUE}).",
      defaultValue = "cli")
  String engine;

  /** Whether the Pulumi engine runs; checks the engine and its flags against each other. */
  boolean pulumi() {
    if (!engine.equals("cli") && !engine.equals("pulumi")) {
      throw new KfbootException(
          "--engine " + engine + " is no engine kfboot has",
          "use --engine cli (the default) or --engine pulumi",
          ExitCategory.INVALID_INPUT);
    }
    if (engine.equals("pulumi")) {
      action();
      return true;
    }
    requireNone();
    return false;
  }

  @Option(
      names = "--stack",
      paramLabel = "NAME",
      description =
          "With --engine pulumi: the stack, created if missing (default: ${DEFAULT-VALUE}).",
      defaultValue = "dev")
  String stack;

  @Option(
      names = "--dir",
      paramLabel = "DIR",
      description = "With --engine pulumi: the Pulumi project (default: ${DEFAULT-VALUE}).",
      defaultValue = "stacks")
  Path dir;

  @Option(names = "--preview", description = "With --engine pulumi: only show what would change.")
  boolean preview;

  @Option(names = "--destroy", description = "With --engine pulumi: remove what the stack made.")
  boolean destroy;

  PulumiEngine.Action action() {
    if (preview && destroy) {
      throw new KfbootException(
          "--preview and --destroy exclude each other", "give one", ExitCategory.INVALID_INPUT);
    }
    return preview
        ? PulumiEngine.Action.PREVIEW
        : destroy ? PulumiEngine.Action.DESTROY : PulumiEngine.Action.UP;
  }

  /** Runs the stack through the Automation API; the line that says how it ended. */
  String run(Main.Context context) {
    return new PulumiEngine(dir, stack, context.env(), context.err()::println).run(action());
  }

  void requireNone() {
    if (preview || destroy) {
      throw new KfbootException(
          "--preview and --destroy belong to --engine pulumi",
          "for kfboot's own engine: 'kfboot hosts plan' previews, 'kfboot down' removes",
          ExitCategory.INVALID_INPUT);
    }
  }
}
