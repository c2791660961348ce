package io.kfboot.stacks;

import com.pulumi.automation.AutomationException;
import com.pulumi.automation.DestroyOptions;
import com.pulumi.automation.LocalWorkspace;
import com.pulumi.automation.PreviewOptions;
import com.pulumi.automation.UpOptions;
import com.pulumi.automation.WorkspaceStack;
import io.kfboot.core.ExitCategory;
import io.kfboot.core.KfbootException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code kfboot up --engine pulumi}: the stack in stacks/ through Pulumi's Automation API, which
 * runs the {@code pulumi} CLI. A missing CLI or project is said before anything starts.
 */
public final class PulumiEngine {
  public enum Action {
    UP,
    PREVIEW,
    DESTROY
  }

  private final Path dir;
  private final String stack;
  private final Consumer<String> output;

  /**
   * @param dir the Pulumi project (kfboot's stacks/)
   * @param output where Pulumi's own output goes, line by line
   */
  public PulumiEngine(Path dir, String stack, Map<String, String> env, Consumer<String> output) {
    this.dir = dir;
    this.stack = stack;
    this.output = output;
    if (!Files.isRegularFile(dir.resolve("Pulumi.yaml"))) {
      throw new KfbootException(
          dir.resolve("Pulumi.yaml") + " does not exist",
          "run from the repository root, or point --dir at the folder with kfboot's Pulumi.yaml",
          ExitCategory.INVALID_INPUT);
    }
    if (onPath("pulumi", env.get("PATH")) == null) {
      throw new KfbootException(
          "the pulumi CLI is not on PATH; the Automation API runs it",
          "install it (https://www.pulumi.com/docs/install/), log in (pulumi login, or pulumi login"
              + " --local), then rerun",
          ExitCategory.MISSING_TOOL);
    }
  }

  /** Runs the action; a line that says how it ended. */
  public String run(Action action) {
    try {
      WorkspaceStack ws = LocalWorkspace.createOrSelectStack(stack, dir.toAbsolutePath());
      return switch (action) {
        case PREVIEW ->
            "preview of stack "
                + stack
                + ": "
                + ws.preview(
                        PreviewOptions.builder()
                            .onStandardOutput(output::accept)
                            .onStandardError(output::accept)
                            .build())
                    .changeSummary();
        case DESTROY ->
            "stack "
                + stack
                + " destroyed: "
                + ws.destroy(
                        DestroyOptions.builder()
                            .onStandardOutput(output::accept)
                            .onStandardError(output::accept)
                            .build())
                    .summary()
                    .result();
        case UP -> {
          var r =
              ws.up(
                  UpOptions.builder()
                      .onStandardOutput(output::accept)
                      .onStandardError(output::accept)
                      .build());
          yield "stack "
              + stack
              + ": "
              + r.summary().result()
              + "; outputs: "
              + String.join(", ", r.outputs().keySet())
              + " (secrets: pulumi stack output --show-secrets)";
        }
      };
    } catch (AutomationException e) {
      throw new KfbootException(
          "pulumi failed for stack " + stack + ": " + e.getMessage().lines().findFirst().orElse(""),
          "see its output above; 'pulumi stack -s " + stack + "' in " + dir + " shows the stack",
          ExitCategory.UNEXPECTED_STATE);
    }
  }

  static String onPath(String tool, String path) {
    if (path == null) {
      return null;
    }
    for (String d : path.split(File.pathSeparator)) {
      Path p = Path.of(d, tool);
      if (!d.isEmpty() && Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }
}
