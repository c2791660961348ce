package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/** A file kfboot owns, with exact content and mode, and commands that make the host pick it up. */
public class FileStep implements Step {
  private final String id;
  private final String path;
  private final int mode;
  private final Function<HostContext, String> content;
  private final List<Command> reload;

  public FileStep(String id, String path, int mode, Function<HostContext, String> content, List<Command> reload) {
    this.id = id;
    this.path = path;
    this.mode = mode;
    this.content = content;
    this.reload = List.copyOf(reload);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String description() {
    return path + " (mode " + String.format("%04o", mode) + ")";
  }

  public String path() {
    return path;
  }

  @Override
  public Check check(HostContext host) {
    Optional<String> now = host.file(path);
    if (now.isEmpty()) {
      return Check.change("create " + path);
    }
    if (!now.get().equals(content.apply(host))) {
      return Check.change("rewrite " + path);
    }
    String perms = host.root(Command.of("stat", "-c", "%a", host.path(path))).stdout().trim();
    if (!perms.equals(Integer.toOctalString(mode))) {
      return Check.change("chmod " + path + " from " + perms + " to " + Integer.toOctalString(mode));
    }
    return Check.ok(path + " is as desired");
  }

  @Override
  public void apply(HostContext host) {
    host.write(path, content.apply(host), mode);
    for (Command c : reload) {
      host.rootOk(c, c.redacted());
    }
  }
}
