package io.kfboot.bootstrap.steps;

import io.kfboot.bootstrap.command.Command;
import java.util.List;
import java.util.function.Function;

/** A file kfboot owns, with exact content and mode, and commands that make the host pick it up. */
public class FileStep implements Step {
  private final String id;
  private final String path;
  private final int mode;
  private final Function<HostContext, String> content;
  private final List<Command> reload;

  public FileStep(
      String id,
      String path,
      int mode,
      Function<HostContext, String> content,
      List<Command> reload) {
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
    // mode and content in one round trip: hosts are often far away
    String p = Command.quote(host.path(path));
    var r =
        host.root(Command.shell("test -e " + p + " || exit 3; stat -c %a " + p + "; cat -- " + p));
    if (r.exitCode() == 3) {
      return Check.change("create " + path);
    }
    r.requireOk(host.name(), "reading " + path);
    int nl = r.stdout().indexOf('\n');
    String perms = nl < 0 ? r.stdout().trim() : r.stdout().substring(0, nl).trim();
    String now = nl < 0 ? "" : r.stdout().substring(nl + 1);
    if (!now.equals(content.apply(host))) {
      return Check.change("rewrite " + path);
    }
    if (!perms.equals(Integer.toOctalString(mode))) {
      return Check.change(
          "chmod " + path + " from " + perms + " to " + Integer.toOctalString(mode));
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
