package io.kfboot.bootstrap.host;

import io.kfboot.bootstrap.command.Command;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A host that only records: every command and upload in order, files kept in memory, and answers
 * given by rules (first match wins; no match: exit 0, no output). For step tests and dry runs.
 */
public final class RecordingHostOperator implements HostOperator {
  /** A command run or a file written, as it happened. */
  public sealed interface Action permits Ran, Wrote, Downloaded {}

  public record Ran(Command command) implements Action {}

  public record Wrote(String path, int mode, String owner) implements Action {}

  /** A host file streamed to this machine. */
  public record Downloaded(String path, Path local) implements Action {}

  private record Rule(Predicate<Command> when, Function<Command, ExecResult> answer) {}

  private final String name;
  private final List<Action> actions = new CopyOnWriteArrayList<>();
  private final List<Rule> rules = new CopyOnWriteArrayList<>();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();
  private final Map<String, Integer> modes = new ConcurrentHashMap<>();

  public RecordingHostOperator(String name) {
    this.name = name;
  }

  /** Answers commands whose shell line contains {@code fragment}. */
  public RecordingHostOperator on(String fragment, int exitCode, String stdout) {
    return on(
        c -> c.shellLine().contains(fragment),
        c -> new ExecResult(exitCode, stdout, "", Duration.ZERO));
  }

  public RecordingHostOperator on(Predicate<Command> when, Function<Command, ExecResult> answer) {
    rules.add(0, new Rule(when, answer));
    return this;
  }

  /** Removes a file, as a command the fake answers would. */
  public void delete(String path) {
    files.remove(path);
    modes.remove(path);
  }

  public RecordingHostOperator file(String path, String content) {
    files.put(path, content.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  public List<Action> actions() {
    return List.copyOf(actions);
  }

  /** The commands run, as their redacted lines. */
  public List<String> commandLines() {
    List<String> out = new ArrayList<>();
    for (Action a : actions) {
      if (a instanceof Ran r) {
        out.add(r.command().redacted());
      }
    }
    return out;
  }

  public Map<String, byte[]> files() {
    return Map.copyOf(files);
  }

  /** The mode a file was written with, or null. */
  public Integer mode(String path) {
    return modes.get(path);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ExecResult exec(Command command, Duration timeout) {
    actions.add(new Ran(command));
    for (Rule r : rules) {
      if (r.when().test(command)) {
        return r.answer().apply(command);
      }
    }
    return new ExecResult(0, "", "", Duration.ZERO);
  }

  @Override
  public void upload(byte[] content, String path, int mode, String owner) {
    actions.add(new Wrote(path, mode, owner));
    files.put(path, content.clone());
    modes.put(path, mode);
  }

  @Override
  public byte[] read(String path) {
    byte[] b = files.get(path);
    if (b == null) {
      throw new HostException(
          name, "cannot read " + path + ": no such file", "check that the file exists", false);
    }
    return b.clone();
  }

  @Override
  public long download(String path, Path local, Duration timeout) {
    actions.add(new Downloaded(path, local));
    byte[] b = read(path);
    try {
      return PrivateFiles.write(local, out -> out.write(b));
    } catch (IOException e) {
      throw new HostException(
          name, "cannot write " + local + ": " + e.getMessage(), "check the folder", false, e);
    }
  }

  @Override
  public void close() {}
}
