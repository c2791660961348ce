package io.kfboot.cli;

import io.kfboot.platform.PlatformSettings;
import io.kfboot.platform.SettingsInput;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every kfboot command is: parse, resolve the settings once, call the platform, print text or
 * JSON. Subclasses only say which option groups they have ({@link #input}) and what to do.
 */
abstract class BaseCommand implements Callable<Integer> {
  protected final Main.Context context;
  @Spec CommandSpec spec;

  BaseCommand(Main.Context context) {
    this.context = context;
  }

  /** Checks of flags against each other that need no settings; before anything is read. */
  void check() {}

  /** Fills the settings input from this command's options. */
  abstract void input(SettingsInput in);

  /** The command's work; its exit code. */
  abstract int run(PlatformSettings settings);

  @Override
  public final Integer call() {
    check();
    SettingsInput in = new SettingsInput();
    input(in);
    return run(PlatformSettings.resolve(in, context.env()));
  }

  /** Progress on stderr, quiet and verbose as the settings say. */
  CliListener listener(PlatformSettings settings) {
    return new CliListener(context.err(), settings.release().quiet(), settings.verbose());
  }

  void print(String text) {
    context.out().print(text.endsWith("\n") ? text : text + "\n");
    context.out().flush();
  }

  void printJson(Map<String, Object> root) {
    print(Json.write(root));
  }
}
